// RFC 8785 (JCS) canonicalization and the strict parser it reads untrusted
// text with. Expected bytes come from the RFC and from the reference test
// data of cyberphone/json-canonicalization (tests/fixtures/jcs/).
#include "cachet/canonical_json.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "cachet/json.h"
#include "test_crypto.h"

namespace cachet {
namespace {

using cachet::testing::read_fixture;

double from_bits(std::uint64_t bits) {
  double x = 0;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

std::string codes_of(const Problems& problems) {
  std::string codes;
  for (const Problem& p : problems) codes += p.code + "@" + p.path + " ";
  return codes;
}

// --- RFC 8785 reference vectors: input/NAME.json canonicalizes to output/NAME.json ---

class JcsFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(JcsFixture, CanonicalizesToTheReferenceBytes) {
  const std::string name = GetParam();
  const std::string input = read_fixture("jcs/input/" + name + ".json");
  const std::string expected = read_fixture("jcs/output/" + name + ".json");
  const Result<std::string> canonical = canonicalize_text(input);
  ASSERT_TRUE(canonical.ok()) << codes_of(canonical.problems());
  EXPECT_EQ(canonical.value(), expected);
}

// Canonical text is a fixed point: canonicalizing it again changes no byte.
TEST_P(JcsFixture, CanonicalOutputIsAFixedPoint) {
  const std::string expected = read_fixture(std::string("jcs/output/") + GetParam() + ".json");
  const Result<std::string> again = canonicalize_text(expected);
  ASSERT_TRUE(again.ok()) << codes_of(again.problems());
  EXPECT_EQ(again.value(), expected);
}

INSTANTIATE_TEST_SUITE_P(Rfc8785, JcsFixture,
                         ::testing::Values("arrays", "french", "structures", "unicode", "values", "weird",
                                           "rfc8785-section-3.2.2-primitives", "rfc8785-section-3.2.3-utf16-sorting"),
                         [](const ::testing::TestParamInfo<const char*>& param_info) {
                           std::string name;
                           for (const char* c = param_info.param; *c != '\0'; ++c) {
                             name += (std::isalnum(static_cast<unsigned char>(*c)) != 0) ? *c : '_';
                           }
                           return name;
                         });

// --- Numbers: ECMAScript Number::toString (RFC 8785 section 3.2.2.3) ---

struct NumberCase {
  std::uint64_t ieee754;
  const char* expected;
};

// The first block is RFC 8785 Appendix B (finite samples); the rest were
// checked against V8's String(x) and cover the layout boundaries.
const NumberCase kNumberCases[] = {
    {0x0000000000000000ULL, "0"},
    {0x8000000000000000ULL, "0"},  // -0
    {0x0000000000000001ULL, "5e-324"},
    {0x8000000000000001ULL, "-5e-324"},
    {0x7fefffffffffffffULL, "1.7976931348623157e+308"},
    {0xffefffffffffffffULL, "-1.7976931348623157e+308"},
    {0x4340000000000000ULL, "9007199254740992"},
    {0xc340000000000000ULL, "-9007199254740992"},
    {0x4430000000000000ULL, "295147905179352830000"},
    {0x44b52d02c7e14af5ULL, "9.999999999999997e+22"},
    {0x44b52d02c7e14af6ULL, "1e+23"},
    {0x44b52d02c7e14af7ULL, "1.0000000000000001e+23"},
    {0x444b1ae4d6e2ef4eULL, "999999999999999700000"},
    {0x444b1ae4d6e2ef4fULL, "999999999999999900000"},
    {0x444b1ae4d6e2ef50ULL, "1e+21"},
    {0x3eb0c6f7a0b5ed8cULL, "9.999999999999997e-7"},
    {0x3eb0c6f7a0b5ed8dULL, "0.000001"},
    {0x41b3de4355555553ULL, "333333333.3333332"},
    {0x41b3de4355555554ULL, "333333333.33333325"},
    {0x41b3de4355555555ULL, "333333333.3333333"},
    {0x41b3de4355555556ULL, "333333333.3333334"},
    {0x41b3de4355555557ULL, "333333333.33333343"},
    {0xbecbf647612f3696ULL, "-0.0000033333333333333333"},
    {0x43143ff3c1cb0959ULL, "1424953923781206.2"},  // round half to even
    // Beyond Appendix B.
    {0x3e7ad7f29abcaf48ULL, "1e-7"},  // first exponent form below 1
    {0x3ea0c6f7a0b5ed8dULL, "5e-7"},
    {0x3e8421f5f40d8376ULL, "1.5e-7"},
    {0xbeb0c6f7a0b5ed8dULL, "-0.000001"},
    {0x3ee4f8b588e368f1ULL, "0.00001"},
    {0x3f201f31f46ed246ULL, "0.000123"},
    {0x4415af1d78b58c40ULL, "100000000000000000000"},  // 1e20: 21 digits, no exponent
    {0x4480f0cf064dd592ULL, "1e+22"},
    {0x7e37e43c8800759cULL, "1e+300"},
    {0x441ac53a7e04bcdaULL, "123456789012345680000"},
    {0x4340000000000001ULL, "9007199254740994"},      // 2^53 + 2
    {0x433fffffffffffffULL, "9007199254740991"},      // 2^53 - 1
    {0x43e0000000000000ULL, "9223372036854776000"},   // 2^63
    {0x43f0000000000000ULL, "18446744073709552000"},  // 2^64
    {0x3fd3333333333334ULL, "0.30000000000000004"},   // 0.1 + 0.2
    {0x3fd3333333333333ULL, "0.3"},
    {0x3fb999999999999aULL, "0.1"},
    {0x3fd5555555555555ULL, "0.3333333333333333"},
    {0x3fe5555555555555ULL, "0.6666666666666666"},
    {0x4011666666666666ULL, "4.35"},
    {0x405edd2f1a9fbe77ULL, "123.456"},
    {0x4059000000000000ULL, "100"},
    {0xbff4000000000000ULL, "-1.25"},
    {0x0000000000000003ULL, "1.5e-323"},                 // subnormal
    {0x0010000000000000ULL, "2.2250738585072014e-308"},  // smallest normal
    {0x7fe0000000000000ULL, "8.98846567431158e+307"},    // 2^1023
    // Powers of two whose closest 16-digit decimal lies below x, outside the
    // (narrower) lower half of the round-trip interval, while the next one up
    // reads back: a plain "%.*e" loop would give 17 digits here.
    {0x3e70000000000000ULL, "5.960464477539063e-8"},   // 2^-24
    {0x3b20000000000000ULL, "6.617444900424222e-24"},  // 2^-77
    {0x3d30000000000000ULL, "5.684341886080802e-14"},  // 2^-44
    {0x4580000000000000ULL, "6.189700196426902e+26"},  // 2^89
    {0x4790000000000000ULL, "5.316911983139664e+36"},  // 2^122
    {0x3cb0000000000000ULL, "2.220446049250313e-16"},  // DBL_EPSILON
};

TEST(FormatEsNumber, MatchesEcmaScriptForRfcAppendixBAndBoundaries) {
  for (const NumberCase& c : kNumberCases) {
    EXPECT_EQ(format_es_number(from_bits(c.ieee754)), c.expected) << std::hex << "bits 0x" << c.ieee754;
  }
}

// The same values go through canonicalize() as one array, so the number path
// of the serializer (not only the helper) is held to the same bytes.
TEST(Canonicalize, WritesEveryNumberAsEcmaScriptDoes) {
  Json array = Json::array();
  std::string expected = "[";
  for (const NumberCase& c : kNumberCases) {
    array.push_back(from_bits(c.ieee754));
    if (expected.size() > 1) expected += ',';
    expected += c.expected;
  }
  expected += ']';
  const Result<std::string> canonical = canonicalize(array);
  ASSERT_TRUE(canonical.ok()) << codes_of(canonical.problems());
  EXPECT_EQ(canonical.value(), expected);
}

TEST(FormatEsNumber, NamesNonFiniteValuesAsEcmaScriptDoes) {
  EXPECT_EQ(format_es_number(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(format_es_number(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(format_es_number(-std::numeric_limits<double>::infinity()), "-Infinity");
}

// Every shortest form must read back as the same double (the round-trip
// half of section 3.2.2.3), over a spread of magnitudes and mantissas.
TEST(FormatEsNumber, EveryOutputReadsBackAsTheSameDouble) {
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;  // fixed seed: reproducible
  for (int i = 0; i < 5000; ++i) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    const double x = from_bits(state);
    if (!std::isfinite(x)) continue;
    const std::string text = format_es_number(x);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), x == 0 ? 0.0 : x) << text;
    EXPECT_LE(text.size(), 25u) << text;  // "-d.dddddddddddddddde-308" at most
  }
}

// Integers are numbers like any other (section 3.2.2.3): nlohmann's int64 and
// uint64 become the nearest double, as ECMAScript's parser would make them.
TEST(Canonicalize, TreatsIntegersBeyondTwoToThe53AsDoubles) {
  EXPECT_EQ(canonicalize(Json(std::uint64_t{18446744073709551615ULL})).value(), "18446744073709552000");
  EXPECT_EQ(canonicalize(Json(std::int64_t{-9223372036854775807LL - 1})).value(), "-9223372036854776000");
  EXPECT_EQ(canonicalize_text("9007199254740993").value(), "9007199254740992");  // tie rounds to even
  EXPECT_EQ(canonicalize_text("[-0, -0.0, 0e10, 56.0, 1E2]").value(), "[0,0,0,56,100]");
}

TEST(Canonicalize, RefusesNonFiniteNumbersAtTheirPaths) {
  Json value = {{"a", {1, std::numeric_limits<double>::quiet_NaN()}}, {"b/c", std::numeric_limits<double>::infinity()}};
  const Result<std::string> canonical = canonicalize(value);
  ASSERT_FALSE(canonical.ok());
  // Every problem is reported, each with its JSON Pointer (RFC 6901 escapes "/").
  EXPECT_EQ(codes_of(canonical.problems()), "jcs_non_finite_number@/a/1 jcs_non_finite_number@/b~1c ");
}

// --- Strings (section 3.2.2.2) ---

TEST(Canonicalize, EscapesOnlyQuoteBackslashAndC0Controls) {
  std::string all_controls;
  for (int c = 0; c < 0x20; ++c) all_controls += static_cast<char>(c);
  const std::string expected =
      "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f"
      "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d"
      "\\u001e\\u001f\"";
  EXPECT_EQ(canonicalize(Json(all_controls)).value(), expected);
  // '/', DEL, '<' and non-ASCII stay as they are; '"' and '\' are escaped.
  EXPECT_EQ(canonicalize(Json("a/\x7f<\"\\\xc3\xa9\xf0\x9f\x98\x80")).value(),
            "\"a/\x7f<\\\"\\\\\xc3\xa9\xf0\x9f\x98\x80\"");
  EXPECT_EQ(canonicalize_text(R"("\u00e9\/\u001F\uD83D\uDE00")").value(), "\"\xc3\xa9/\\u001f\xf0\x9f\x98\x80\"");
}

TEST(Canonicalize, RefusesStringsThatAreNotUtf8) {
  Json value = {{"ok", "fine"}, {"bad", "\xff"}, {"list", {"\xed\xa0\x80"}}};  // 0xFF; encoded surrogate
  value["nested"]["\xc0\xaf"] = 1;                                             // overlong "/" as a member name
  const Result<std::string> canonical = canonicalize(value);
  ASSERT_FALSE(canonical.ok());
  // A bad name is reported at its object: a pointer holding it would not be UTF-8 either.
  EXPECT_EQ(codes_of(canonical.problems()), "jcs_invalid_utf8@/bad jcs_invalid_utf8@/list/0 jcs_invalid_utf8@/nested ");
}

// --- Member order (section 3.2.3) ---

// UTF-16 order differs from UTF-8 byte order (and from code point order)
// exactly here: U+1F600 is the pair D83D DE00, which sorts before U+E000 and
// U+FB33, although its UTF-8 bytes (F0 ...) sort after theirs (EE/EF ...).
TEST(Canonicalize, SortsMemberNamesByUtf16CodeUnitsNotUtf8Bytes) {
  const Result<std::string> canonical =
      canonicalize_text(R"({"\ufb33":3,"\ue000":2,"\ud83d\ude00":1,"\u00ff":0,"z":-1,"Z":-2,"":-3})");
  ASSERT_TRUE(canonical.ok()) << codes_of(canonical.problems());
  EXPECT_EQ(canonical.value(),
            "{\"\":-3,\"Z\":-2,\"z\":-1,\"\xc3\xbf\":0,\"\xf0\x9f\x98\x80\":1,\"\xee\x80\x80\":2,\"\xef\xac\xb3\":3}");
}

TEST(Canonicalize, SortsNestedObjectsAndKeepsArrayOrder) {
  EXPECT_EQ(canonicalize_text(R"({"b":[3,1,{"y":null,"x":true}],"a":{"d":{},"c":[]}})").value(),
            R"({"a":{"c":[],"d":{}},"b":[3,1,{"x":true,"y":null}]})");
  EXPECT_EQ(canonicalize_text(" [ ] ").value(), "[]");
  EXPECT_EQ(canonicalize_text("\t{ }\n").value(), "{}");
  EXPECT_EQ(canonicalize_text("\"x\"").value(), "\"x\"");
  EXPECT_EQ(canonicalize_text("false").value(), "false");
}

TEST(CanonicalizeText, PassesParseProblemsThrough) {
  const Result<std::string> canonical = canonicalize_text(R"({"a":1,"a":2})");
  ASSERT_FALSE(canonical.ok());
  EXPECT_EQ(codes_of(canonical.problems()), "json_duplicate_key@ ");
}

// --- parse_json_strict: every refusal has its own code ---

std::string parse_code(std::string_view text, const ParseLimits& limits = {}) {
  const Result<Json> parsed = parse_json_strict(text, limits);
  return parsed.ok() ? "ok" : codes_of(parsed.problems());
}

TEST(ParseJsonStrict, RefusesDuplicateKeysWithThePathOfTheObject) {
  EXPECT_EQ(parse_code(R"({"a":1,"b":2,"a":3})"), "json_duplicate_key@ ");
  EXPECT_EQ(parse_code(R"({"x":{"y":[0,{"k":1,"k":1}]}})"), "json_duplicate_key@/x/y/1 ");
  // Names are compared after unescaping: "\u0061" is "a".
  EXPECT_EQ(parse_code(R"({"a":1,"\u0061":2})"), "json_duplicate_key@ ");
  // The path escapes "/" and "~" (RFC 6901 section 3).
  EXPECT_EQ(parse_code(R"({"a/b":{"~":{"q":1,"q":2}}})"), "json_duplicate_key@/a~1b/~0 ");
  // The same name in sibling objects is no duplicate.
  EXPECT_EQ(parse_code(R"([{"a":1},{"a":1}])"), "ok");
  const Result<Json> parsed = parse_json_strict(R"({"x":{"dup":1,"dup":2}})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.problems()[0].message.find("\"dup\""), std::string::npos) << parsed.problems()[0].message;
}

TEST(ParseJsonStrict, RefusesLoneSurrogateEscapes) {
  EXPECT_EQ(parse_code(R"("\ud800")"), "json_lone_surrogate@ ");
  EXPECT_EQ(parse_code(R"("\udc00")"), "json_lone_surrogate@ ");
  EXPECT_EQ(parse_code(R"("\ud83dx")"), "json_lone_surrogate@ ");
  EXPECT_EQ(parse_code(R"("\ud83d\u0041")"), "json_lone_surrogate@ ");
  EXPECT_EQ(parse_code(R"({"\udfff":1})"), "json_lone_surrogate@ ");
  EXPECT_EQ(parse_code(R"("\ud83d\ude00")"), "ok");
}

TEST(ParseJsonStrict, RefusesInvalidUtf8) {
  EXPECT_EQ(parse_code("\"\xff\""), "json_invalid_utf8@ ");
  EXPECT_EQ(parse_code("\"\xc0\xaf\""), "json_invalid_utf8@ ");          // overlong "/"
  EXPECT_EQ(parse_code("\"\xed\xa0\x80\""), "json_invalid_utf8@ ");      // encoded surrogate
  EXPECT_EQ(parse_code("\"\xe2\x82\""), "json_invalid_utf8@ ");          // truncated euro sign
  EXPECT_EQ(parse_code("\"\xf4\x90\x80\x80\""), "json_invalid_utf8@ ");  // above U+10FFFF
  EXPECT_EQ(parse_code("{\"k\xfe\":1}"), "json_invalid_utf8@ ");
  EXPECT_EQ(parse_code("\"\xe2\x82\xac\""), "ok");
}

TEST(ParseJsonStrict, RefusesNestingDeeperThanTheLimitWithThePath) {
  ParseLimits limits;
  limits.max_depth = 3;
  EXPECT_EQ(parse_code("[[[1]]]", limits), "ok");
  EXPECT_EQ(parse_code("[[[[1]]]]", limits), "json_too_deep@/0/0/0 ");
  EXPECT_EQ(parse_code(R"({"a":{"b":[{}]}})", limits), "json_too_deep@/a/b/0 ");
  // The default limit (64) holds against a hostile 100 000 levels.
  EXPECT_EQ(parse_code(std::string(64, '[') + std::string(64, ']')), "ok");
  EXPECT_EQ(parse_code(std::string(100000, '[')).substr(0, 14), "json_too_deep@");
}

TEST(ParseJsonStrict, RefusesTextsLargerThanTheLimit) {
  ParseLimits limits;
  limits.max_bytes = 8;
  EXPECT_EQ(parse_code("[1,2,30]", limits), "ok");  // exactly 8 bytes
  EXPECT_EQ(parse_code("[1,2,300]", limits), "json_too_large@ ");
  EXPECT_EQ(parse_code(std::string((1 << 20) + 1, ' ')), "json_too_large@ ");
}

TEST(ParseJsonStrict, RefusesTrailingGarbageAndOtherSyntaxErrors) {
  EXPECT_EQ(parse_code("{} x"), "json_syntax@ ");
  EXPECT_EQ(parse_code("[1] [2]"), "json_syntax@ ");
  EXPECT_EQ(parse_code("1 2"), "json_syntax@ ");
  EXPECT_EQ(parse_code(""), "json_syntax@ ");
  EXPECT_EQ(parse_code("[1,]"), "json_syntax@ ");
  EXPECT_EQ(parse_code("{\"a\":1,}"), "json_syntax@ ");
  EXPECT_EQ(parse_code("// comment\n{}"), "json_syntax@ ");
  EXPECT_EQ(parse_code("NaN"), "json_syntax@ ");
  EXPECT_EQ(parse_code("1e400"), "json_syntax@ ");  // beyond double range (I-JSON section 2.2)
  EXPECT_EQ(parse_code("[1]\n\t "), "ok");
  // Both nlohmann and RapidJSON stop at a NUL outside a string: nothing may hide after one.
  EXPECT_EQ(parse_code(std::string_view("{}\0{\"evil\":2}", 13)), "json_syntax@ ");
  EXPECT_EQ(parse_code(std::string_view("[1]\0", 4)), "json_syntax@ ");
  EXPECT_EQ(parse_code(std::string_view("[\"a\0\"]", 5)), "json_syntax@ ");
  EXPECT_EQ(parse_code(R"(["a\u0000"])"), "ok");  // escaped, it is a character like any other
}

// Regression: the kind of error was found by searching nlohmann's whole
// message, which quotes the offending token; a string mentioning
// "surrogate" or "UTF-8" was misnamed, and raw input bytes (any length,
// invalid UTF-8 included) ended up in the message users see.
TEST(ParseJsonStrict, NamesErrorsByTheirKindNotByTheInputTextQuoted) {
  EXPECT_EQ(parse_code("\"surrogate \x01\""), "json_syntax@ ");
  EXPECT_EQ(parse_code("\"UTF-8 \x01\""), "json_syntax@ ");
  const Result<Json> parsed = parse_json_strict("[1, \xff\xfe]");
  ASSERT_FALSE(parsed.ok());
  const std::string& message = parsed.problems()[0].message;
  EXPECT_EQ(message.find('\xff'), std::string::npos) << message;
  EXPECT_NE(message.find("line 1, column 5"), std::string::npos) << message;
  const Result<Json> long_token = parse_json_strict("\"" + std::string(100000, 'a') + "\x01\"");
  ASSERT_FALSE(long_token.ok());
  EXPECT_LT(long_token.problems()[0].message.size(), 300u);
}

TEST(ParseJsonStrict, KeepsValuesTheirTypesAndMemberOrderFree) {
  const Result<Json> parsed =
      parse_json_strict(R"({"s":"x","i":-3,"u":18446744073709551615,"f":1.5,"n":null,"a":[true]})");
  ASSERT_TRUE(parsed.ok()) << codes_of(parsed.problems());
  const Json& v = parsed.value();
  EXPECT_EQ(v.at("s").get<std::string>(), "x");
  EXPECT_EQ(v.at("i").get<std::int64_t>(), -3);
  EXPECT_EQ(v.at("u").get<std::uint64_t>(), 18446744073709551615ULL);
  EXPECT_EQ(v.at("f").get<double>(), 1.5);
  EXPECT_TRUE(v.at("n").is_null());
  EXPECT_EQ(v.at("a"), Json::array({true}));
}

}  // namespace
}  // namespace cachet
