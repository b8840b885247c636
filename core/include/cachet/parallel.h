// Spreading independent work over threads (native builds only: the widget's
// wasm build never calls it). Used where many receipts are verified at once:
// `cachet verify` over JSON lines and the export's --reverify.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace cachet {

// Threads to use for `tasks` independent tasks when asked for `jobs` (0 = one
// per core), never more than one per `min_per_thread` tasks: starting a
// thread costs more than verifying a few receipts.
inline std::size_t thread_count(std::size_t tasks, unsigned jobs, std::size_t min_per_thread = 8) {
  const std::size_t wanted = jobs > 0 ? jobs : std::max(1u, std::thread::hardware_concurrency());
  return std::max<std::size_t>(1, std::min(wanted, tasks / std::max<std::size_t>(1, min_per_thread)));
}

// Calls work(first, stride) on `threads` threads (the calling thread is one
// of them): thread t takes tasks t, t + threads, t + 2 * threads, ... Striping
// rather than blocks keeps the threads busy when task costs vary along the
// input. `work` writes only to its own tasks' slots.
template <typename Work>
void run_striped(std::size_t threads, const Work& work) {
  if (threads <= 1) {
    work(std::size_t{0}, std::size_t{1});
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back([&work, t, threads] { work(t, threads); });
  work(std::size_t{0}, threads);
  for (std::thread& thread : pool) thread.join();
}

}  // namespace cachet
