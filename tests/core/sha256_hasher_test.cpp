// Sha256Hasher (native only: it is OpenSSL's): known answers from FIPS 180-2
// (appendix B), the two-part input hashed as one, and the context reused.
#include <gtest/gtest.h>

#include <string>

#include "cachet/openssl_crypto.h"

namespace cachet {
namespace {

TEST(Sha256Hasher, KnownAnswersAndTwoPartInput) {
  Sha256Hasher sha;
  const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  EXPECT_EQ(sha.hex("abc"), abc);
  EXPECT_EQ(sha.hex("a", "bc"), abc);
  EXPECT_EQ(sha.hex("", "abc"), abc);
  EXPECT_EQ(sha.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const auto raw = sha.digest("abc");
  ASSERT_TRUE(raw);
  EXPECT_EQ((*raw)[0], 0xba);
  EXPECT_EQ((*raw)[31], 0xad);
  EXPECT_EQ(sha.hex("abc"), abc);  // the context is reset between calls
}

}  // namespace
}  // namespace cachet
