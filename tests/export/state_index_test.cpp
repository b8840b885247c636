// The export's in-memory index (export/src/state_index.h): receipt ids and
// digests are decoded from the ledger's lower-case hex, and anything else is
// refused rather than read loosely.
#include "state_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cachet::exporter {
namespace {

TEST(StateIndex, UuidsAreLowerCaseCanonicalOnly) {
  const std::string id = "0cb43fa1-ad6d-46d5-a585-912fc9b3157f";
  const std::optional<Uuid128> parsed = parse_uuid(id);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(format_uuid(*parsed), id);
  EXPECT_FALSE(parse_uuid("0CB43FA1-AD6D-46D5-A585-912FC9B3157F"));  // the ledger writes lower case
  EXPECT_FALSE(parse_uuid("0cb43fa1ad6d46d5a585912fc9b3157f"));
  EXPECT_FALSE(parse_uuid("0cb43fa1-ad6d-46d5-a585-912fc9b3157g"));
  EXPECT_FALSE(parse_uuid("0cb43fa1-ad6d-46d5-a585-912fc9b3157"));
  EXPECT_FALSE(parse_uuid(std::string("0cb43fa1-ad6d-46d5-a585-912fc9b3157\0", 36)));
}

ledger::ReceiptRecord record_with_email_digest(const std::string& id, const std::string& digest) {
  ledger::ReceiptRecord r;
  r.receipt_id = id;
  r.receipt_seq = 1;
  r.partner_ids = "[]";
  r.salt = "c2FsdA";
  r.digests.email = digest;
  return r;
}

TEST(StateIndex, DigestsAreDecodedFromLowerCaseHexOnly) {
  StateIndex index({});
  const std::string good = "00ff10a09b" + std::string(54, 'e');
  const std::string good_id = "0cb43fa1-ad6d-46d5-a585-912fc9b31570";
  index.add(record_with_email_digest(good_id, good), false);
  const std::vector<std::string> bad = {std::string(64, 'E'), std::string(63, 'e'), "0x" + std::string(62, '0'),
                                        std::string(62, 'e') + "g0", std::string(62, 'e') + " 0"};
  auto bad_id = [](std::size_t i) { return "0cb43fa1-ad6d-46d5-a585-912fc9b3158" + std::to_string(i); };
  for (std::size_t i = 0; i < bad.size(); ++i) index.add(record_with_email_digest(bad_id(i), bad[i]), false);
  index.finish();

  const PersonRecord* ok = index.find(good_id);
  ASSERT_NE(ok, nullptr);
  EXPECT_TRUE(ok->names_digest(ContactKind::kEmail));
  ASSERT_TRUE(ok->has_digest(ContactKind::kEmail));
  const auto& raw = ok->digests[static_cast<std::size_t>(ContactKind::kEmail)];
  EXPECT_EQ(raw[0], 0x00);
  EXPECT_EQ(raw[1], 0xff);
  EXPECT_EQ(raw[2], 0x10);
  EXPECT_EQ(raw[3], 0xa0);
  EXPECT_EQ(raw[4], 0x9b);
  EXPECT_EQ(raw[31], 0xee);
  EXPECT_FALSE(ok->names_digest(ContactKind::kPhone));
  EXPECT_FALSE(ok->has_digest(ContactKind::kPhone));
  // A malformed digest is named (the receipt binds a value) but never usable: no value matches it.
  for (std::size_t i = 0; i < bad.size(); ++i) {
    const PersonRecord* person = index.find(bad_id(i));
    ASSERT_NE(person, nullptr) << bad[i];
    EXPECT_TRUE(person->names_digest(ContactKind::kEmail)) << bad[i];
    EXPECT_FALSE(person->has_digest(ContactKind::kEmail)) << bad[i];
  }
}

}  // namespace
}  // namespace cachet::exporter
