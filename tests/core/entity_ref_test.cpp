#include "crm/entity_ref.hpp"

#include <gtest/gtest.h>

#include "crm/error.hpp"

namespace crm {
namespace {

TEST(EntityRefTest, ParsesAndFormats) {
  const EntityRef r = parse_entity_ref("case:17");
  EXPECT_EQ(r.type, entity_type::kCase);
  EXPECT_EQ(r.id, 17);
  EXPECT_EQ(to_string(r), "case:17");
  EXPECT_EQ(parse_entity_ref("acquisition.lead:3"), (EntityRef{"acquisition.lead", 3}));
}

TEST(EntityRefTest, RefusesMalformedLinks) {
  for (const char* bad : {"case", "case:", ":5", "Case:1", "case:0", "case:-1", "case:1x",
                          "case: 1", "1case:1", "case:99999999999999999999", "ca se:1"}) {
    EXPECT_THROW(parse_entity_ref(bad), InvalidInput) << bad;
  }
  try {
    parse_entity_ref("case:x");
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_STREQ(e.what(), "invalid link 'case:x' (expected TYPE:ID, e.g. case:17)");
  }
  EXPECT_THROW(validate(EntityRef{"case", 0}), InvalidInput);
  EXPECT_NO_THROW(validate(EntityRef{"case", 1}));
}

TEST(EntityRefTest, OrdersByTypeThenId) {
  EXPECT_TRUE((EntityRef{"case", 9}) < (EntityRef{"case", 10}));
  EXPECT_TRUE((EntityRef{"case", 10}) < (EntityRef{"task", 1}));
}

TEST(EntityRefTest, JsonRoundTripAndErrorsNameTheKey) {
  const Json j = EntityRef{"task", 4};
  EXPECT_EQ(j, (Json{{"type", "task"}, {"id", 4}}));
  EXPECT_EQ(j.get<EntityRef>(), (EntityRef{"task", 4}));
  try {
    (void)(Json{{"type", "task"}, {"id", "4"}}.get<EntityRef>());
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_STREQ(e.what(), "link: 'id' must be an integer");
  }
  EXPECT_THROW((void)(Json{{"id", 4}}.get<EntityRef>()), InvalidInput);
  EXPECT_THROW((void)(Json{{"type", "task"}, {"id", -4}}.get<EntityRef>()), InvalidInput);
  EXPECT_THROW((void)Json("task:4").get<EntityRef>(), InvalidInput);
}

}  // namespace
}  // namespace crm
