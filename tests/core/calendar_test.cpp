// The core's calendar (cachet/calendar.h): leap years, month lengths, the
// shapes Cachet accepts, month arithmetic and round trips.
#include "cachet/calendar.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace cachet::calendar {
namespace {

TEST(CalendarTest, LeapYearsFollowTheGregorianRule) {
  EXPECT_TRUE(is_leap_year(2024));
  EXPECT_FALSE(is_leap_year(2026));
  EXPECT_FALSE(is_leap_year(1900));  // divisible by 100, not by 400
  EXPECT_TRUE(is_leap_year(2000));   // divisible by 400
  EXPECT_EQ(days_in_month(2024, 2), 29);
  EXPECT_EQ(days_in_month(2026, 2), 28);
  EXPECT_EQ(days_in_month(1900, 2), 28);
  EXPECT_EQ(days_in_month(2000, 2), 29);
  EXPECT_EQ(days_in_month(2026, 4), 30);
  EXPECT_EQ(days_in_month(2026, 12), 31);
  EXPECT_EQ(days_in_month(2026, 0), 0);
  EXPECT_EQ(days_in_month(2026, 13), 0);
}

TEST(CalendarTest, DatesMustNameARealDay) {
  EXPECT_TRUE(is_date("2024-02-29"));
  EXPECT_FALSE(is_date("2026-02-29"));
  EXPECT_FALSE(is_date("1900-02-29"));
  EXPECT_TRUE(is_date("2000-02-29"));
  EXPECT_TRUE(is_date("2026-12-31"));
  EXPECT_FALSE(is_date("2026-04-31"));
  EXPECT_FALSE(is_date("2026-13-01"));
  EXPECT_FALSE(is_date("2026-00-10"));
  EXPECT_FALSE(is_date("2026-01-00"));
  for (const char* bad : {"", "2026-1-01", "2026/01/01", "26-01-01", "2026-01-011", "2026-01-0a", " 2026-01-01",
                          "2026-01-01T00:00:00Z", "+202-01-01"}) {
    EXPECT_FALSE(is_date(bad)) << bad;
  }
}

TEST(CalendarTest, UtcTimestampsHaveOneShape) {
  EXPECT_TRUE(is_utc_timestamp("2026-11-30T10:00:00Z"));
  EXPECT_TRUE(is_utc_timestamp("2024-02-29T23:59:59Z"));
  EXPECT_TRUE(is_utc_timestamp("2026-12-31T23:59:60Z"));  // a leap second (RFC 3339 section 5.7)
  for (const char* bad :
       {"2026-02-29T10:00:00Z",  // no such day
        "2026-13-01T10:00:00Z",  // month 13
        "2026-11-31T10:00:00Z",  // November has 30 days
        "2026-11-30T24:00:00Z",  // 24:00 is tomorrow's 00:00
        "2026-11-30T10:60:00Z", "2026-11-30T10:00:61Z",
        "2026-11-30T10:00:00+01:00",                            // offsets: Cachet writes UTC
        "2026-11-30T10:00:00+00:00", "2026-11-30T10:00:00.5Z",  // no fraction
        "2026-11-30t10:00:00Z", "2026-11-30T10:00:00z", "2026-11-30 10:00:00Z", "2026-11-30T10:00:00",
        "2026-11-30T10:00Z", "2026-11-30", "", "yesterday", "2026-11-30T1a:00:00Z", "2026-11-30T10:00:00Z "}) {
    EXPECT_FALSE(is_utc_timestamp(bad)) << bad;
    EXPECT_FALSE(parse_utc_timestamp(bad).has_value()) << bad;
  }
}

TEST(CalendarTest, SecondsSinceTheEpoch) {
  EXPECT_EQ(days_since_epoch(1970, 1, 1), 0);
  EXPECT_EQ(days_since_epoch(1969, 12, 31), -1);
  EXPECT_EQ(days_since_epoch(2000, 3, 1), 11017);
  EXPECT_EQ(parse_utc_timestamp("1970-01-01T00:00:00Z").value(), 0);
  EXPECT_EQ(parse_utc_timestamp("2026-11-30T10:00:00Z").value(), 1796032800);
  EXPECT_EQ(parse_utc_timestamp("2024-02-29T00:00:00Z").value() - parse_utc_timestamp("2024-02-28T00:00:00Z").value(),
            86400);
  EXPECT_EQ(parse_utc_timestamp("2026-12-31T23:59:60Z").value(), parse_utc_timestamp("2027-01-01T00:00:00Z").value());
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_rfc3339(1796032800), "2026-11-30T10:00:00Z");
  EXPECT_EQ(format_date(1796032800), "2026-11-30");
  EXPECT_GT(now_unix(), parse_utc_timestamp("2024-01-01T00:00:00Z").value());
}

TEST(CalendarTest, Rfc3339ReadsOffsetsFractionsAndDates) {
  EXPECT_EQ(parse_rfc3339("2026-11-30T10:00:00Z").value(), 1796032800);
  EXPECT_EQ(parse_rfc3339("2026-11-30T11:00:00+01:00").value(), 1796032800);
  EXPECT_EQ(parse_rfc3339("2026-11-30T05:30:00-04:30").value(), 1796032800);
  EXPECT_EQ(parse_rfc3339("2026-11-30t10:00:00.123z").value(), 1796032800);
  EXPECT_EQ(parse_rfc3339("2026-11-30").value(), 1796032800 - 10 * 3600);
  for (const char* bad : {"2026-02-29", "2026-02-29T10:00:00Z", "2026-11-30T24:00:00Z", "2026-11-30T10:00:00",
                          "2026-11-30T10:00:00.Z", "2026-11-30T10:00:00+24:00", "2026-11-30T10:00:00+01:60",
                          "2026-11-30T10:00:00+0100", "2026-13-30", "yesterday", ""}) {
    EXPECT_FALSE(parse_rfc3339(bad).has_value()) << bad;
  }
}

TEST(CalendarTest, AddMonthsClampsTheDay) {
  const auto at = [](const char* text) { return parse_utc_timestamp(text).value(); };
  EXPECT_EQ(format_rfc3339(add_months(at("2026-01-31T08:00:00Z"), 1)), "2026-02-28T08:00:00Z");
  EXPECT_EQ(format_rfc3339(add_months(at("2028-01-31T23:59:59Z"), 1)), "2028-02-29T23:59:59Z");
  EXPECT_EQ(format_rfc3339(add_months(at("2026-03-31T00:00:00Z"), 1)), "2026-04-30T00:00:00Z");
  EXPECT_EQ(format_rfc3339(add_months(at("2026-12-15T10:00:00Z"), 1)), "2027-01-15T10:00:00Z");
  EXPECT_EQ(format_rfc3339(add_months(at("2024-02-29T12:00:00Z"), 12)), "2025-02-28T12:00:00Z");
  EXPECT_EQ(format_rfc3339(add_months(at("2024-02-29T12:00:00Z"), 48)), "2028-02-29T12:00:00Z");
  EXPECT_EQ(format_rfc3339(add_months(at("2026-11-30T00:00:00Z"), 36)), "2029-11-30T00:00:00Z");
  EXPECT_EQ(format_rfc3339(add_months(at("2026-03-31T00:00:00Z"), -1)), "2026-02-28T00:00:00Z");
  EXPECT_EQ(format_rfc3339(add_months(at("2026-01-15T00:00:00Z"), -13)), "2024-12-15T00:00:00Z");
  EXPECT_EQ(add_months(at("2026-05-17T09:10:11Z"), 0), at("2026-05-17T09:10:11Z"));
}

TEST(CalendarTest, EveryDayRoundTrips) {
  // 1899-01-01 to 2101-12-31: every day, each through format and both parsers.
  const std::int64_t first = days_since_epoch(1899, 1, 1);
  const std::int64_t last = days_since_epoch(2101, 12, 31);
  std::int64_t checked = 0;
  for (std::int64_t day = first; day <= last; ++day) {
    const std::int64_t t = day * 86400 + 12 * 3600 + 34 * 60 + 56;
    const std::string text = format_rfc3339(t);
    ASSERT_TRUE(is_utc_timestamp(text)) << text;
    ASSERT_EQ(parse_utc_timestamp(text).value(), t) << text;
    ASSERT_EQ(parse_rfc3339(text).value(), t) << text;
    ASSERT_TRUE(is_date(format_date(t))) << text;
    ++checked;
  }
  EXPECT_EQ(checked, 365 * 203 + 49);  // 49 leap days between 1899 and 2101 (1900 and 2100 are not)
}

}  // namespace
}  // namespace cachet::calendar
