// Content-Type parsing for `cachet serve` (server/src/media_type.h): the type
// is parsed, never searched for a substring (issue 12).
#include "media_type.h"

#include <gtest/gtest.h>

namespace cachet::server {
namespace {

TEST(MediaType, ParsesTypeSubtypeAndParameters) {
  const auto type = parse_media_type(R"(Multipart/Form-Data; Boundary="a b;c" ;x=1)");
  ASSERT_TRUE(type.has_value());
  EXPECT_TRUE(type->is("multipart", "form-data"));
  EXPECT_EQ(type->parameter("boundary"), "a b;c");
  EXPECT_EQ(type->parameter("x"), "1");
  EXPECT_FALSE(type->parameter("charset").has_value());
}

TEST(MediaType, RefusesWhatIsNotOneMediaType) {
  for (const char* bad : {"", "json", "application/", "/json", "application/json x", "application/json; charset",
                          "application/json; =utf-8", "application/json; charset=\"utf-8",
                          "application/json, text/plain", "text/plain; x=\"\x01\""}) {
    EXPECT_FALSE(parse_media_type(bad).has_value()) << bad;
  }
  EXPECT_TRUE(parse_media_type("application/json;").has_value()) << "a trailing ';' is allowed";
}

TEST(MediaType, JsonIsApplicationJsonInUtf8Only) {
  EXPECT_EQ(body_kind("application/json"), kBodyJson);
  EXPECT_EQ(body_kind("Application/JSON; Charset=\"UTF-8\""), kBodyJson);
  EXPECT_EQ(body_kind("text/plain; x=application/json"), 0U);
  EXPECT_EQ(body_kind("application/jsonx"), 0U);
  EXPECT_EQ(body_kind("application/json-seq"), 0U);
  EXPECT_EQ(body_kind("application/json; charset=latin1"), 0U);
  EXPECT_EQ(body_kind("application/json; profile=x"), 0U);
  EXPECT_EQ(body_kind(""), 0U);
}

TEST(MediaType, FormsAndMultipart) {
  EXPECT_EQ(body_kind("application/x-www-form-urlencoded"), kBodyForm);
  EXPECT_EQ(body_kind("application/x-www-form-urlencoded;charset=UTF-8"), kBodyForm);
  EXPECT_EQ(body_kind("multipart/form-data; boundary=----x"), kBodyMultipart);
  EXPECT_EQ(body_kind("multipart/form-data"), 0U) << "no boundary: nothing to split on";
  EXPECT_EQ(body_kind("multipart/mixed; boundary=x"), 0U);
  EXPECT_EQ(describe_body_kinds(kBodyJson | kBodyForm | kBodyMultipart),
            "application/json, application/x-www-form-urlencoded or multipart/form-data");
}

}  // namespace
}  // namespace cachet::server
