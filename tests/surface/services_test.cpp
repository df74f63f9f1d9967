// Cross-plugin services: provide/get across two plugins, pinning, the type
// check by name, the manifest rules and the messages for a missing service.
#include <gtest/gtest.h>

#include "crm/error.hpp"
#include "greeter.hpp"
#include "surface_support.hpp"

namespace {

using surface::options;
using surface::record;

TEST(Services, ConsumerGetsTheServiceItsRequiredProviderProvides) {
  crm::Kernel k(options("services"));
  for (const char* name : {"greeter_provider", "greeter_consumer"}) {
    ASSERT_EQ(record(k, name).status, "started") << record(k, name).error;
  }
  crm::CommandInput in;
  in.positionals = {"Ada"};
  EXPECT_EQ(k.commands().run({"fixture", "greet"}, in).data.at("greeting"), "hello, Ada");
  const auto listed = k.services().list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].name, "greeting");
  EXPECT_EQ(listed[0].type, "fixture::Greeter");
  EXPECT_EQ(listed[0].provider, "greeter_provider");
  // The host gets the same object the consumer holds: one greeting so far.
  EXPECT_EQ(k.services().get<fixture::Greeter>("greeting")->calls(), 1);
}

TEST(Services, HeldServiceKeepsProviderLibraryLoadedAfterTheKernelIsGone) {
  auto k = std::make_unique<crm::Kernel>(options("services"));
  std::shared_ptr<fixture::Greeter> held = k->services().get<fixture::Greeter>("greeting");
  k.reset();  // every plugin stopped and released
  ASSERT_TRUE(surface::mapped("/services/greeter_provider.so"));
  // The rule: a holder keeps a working object; the provider knows it stopped.
  EXPECT_EQ(held->greet("Bo"), "(stopped) hello, Bo");
  held.reset();
  EXPECT_FALSE(surface::mapped("/services/greeter_provider.so"));
}

TEST(Services, WrongTypeIsRefusedNamingBothTypes) {
  crm::Kernel k(options("services"));
  try {
    k.services().get<fixture::Counter>("greeting");
    FAIL() << "no type check";
  } catch (const crm::InvalidInput& e) {
    EXPECT_STREQ(e.what(),
                 "service 'greeting' of plugin 'greeter_provider' is a fixture::Greeter, not the "
                 "fixture::Counter asked for");
  }
}

TEST(Services, HostMayProvideAndGetItsOwn) {
  crm::Kernel k(options("services"));
  struct Local final : fixture::Counter {
    int count() override { return 7; }
  };
  k.services().provide<fixture::Counter>("host.counter", std::make_shared<Local>());
  EXPECT_EQ(k.services().get<fixture::Counter>("host.counter")->count(), 7);
  EXPECT_THROW(k.services().provide<fixture::Counter>("greeting", std::make_shared<Local>()),
               crm::InvalidInput);
}

TEST(Services, MissingServiceNamesWhoListsIt) {
  crm::Kernel k(options("services"));
  try {
    k.services().get<fixture::Greeter>("nobody");
    FAIL();
  } catch (const crm::NotFound& e) {
    EXPECT_STREQ(e.what(),
                 "service 'nobody' is not provided: no plugin found lists it in provides");
  }
}

class MisusedServices : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { kernel = new crm::Kernel(options("services_misused")); }
  static void TearDownTestSuite() {
    delete kernel;
    kernel = nullptr;
  }
  static const crm::PluginRecord& failed(const std::string& name) {
    const auto& r = record(*kernel, name);
    EXPECT_EQ(r.status, "failed") << name;
    return r;
  }
  static crm::Kernel* kernel;
};
crm::Kernel* MisusedServices::kernel = nullptr;

TEST_F(MisusedServices, TheProviderItselfStarts) {
  EXPECT_EQ(record(*kernel, "greeter_provider").status, "started");
  EXPECT_EQ(record(*kernel, "lazy_provider").status, "started");
}

TEST_F(MisusedServices, TypeMismatchAtStartNamesBothTypes) {
  EXPECT_EQ(failed("misuse_wrong_type").error,
            "start threw crm::InvalidInput: service 'greeting' of plugin 'greeter_provider' is a "
            "fixture::Greeter, "
            "not the fixture::Counter asked for");
}

TEST_F(MisusedServices, GettingWithoutRequiringIsRefused) {
  EXPECT_EQ(failed("misuse_unrequired").error,
            "start threw crm::InvalidInput: plugin 'misuse_unrequired' gets service 'greeting' but "
            "its manifest's "
            "requires lists neither the service nor 'greeter_provider', so the provider is not "
            "sure to start first");
}

TEST_F(MisusedServices, ProvidingANameTheManifestDoesNotListIsRefused) {
  EXPECT_EQ(failed("misuse_unlisted").error,
            "start threw crm::InvalidInput: plugin 'misuse_unlisted' provides service 'secret', "
            "which its "
            "manifest's provides does not list");
}

TEST_F(MisusedServices, ProvidingANameTakenNamesTheHolder) {
  EXPECT_EQ(failed("misuse_taken").error,
            "start threw crm::InvalidInput: service 'greeting' is already provided by plugin "
            "'greeter_provider'");
}

TEST_F(MisusedServices, MissingServiceAtStartNamesThePluginThatListsIt) {
  const std::string error = failed("misuse_missing").error;
  EXPECT_EQ(
      error.substr(0, error.find(" (")),
      "start threw crm::NotFound: service 'farewell' is not provided: plugin 'lazy_provider'");
  EXPECT_NE(error.find("/services_misused/lazy_provider.so) lists it in provides but has not "
                       "provided it"),
            std::string::npos)
      << error;
}

TEST_F(MisusedServices, NullServiceIsRefused) {
  EXPECT_EQ(failed("misuse_null").error,
            "start threw crm::InvalidInput: service 'listed': the object provided is null");
}

TEST_F(MisusedServices, APluginThatFailsAfterProvidingHasItsServiceWithdrawn) {
  EXPECT_EQ(failed("misuse_provide_then_fail").error,
            "start threw crm::InvalidInput: gave up after providing");
  EXPECT_FALSE(kernel->services().has("listed"));
  // Only the provider that started has a service.
  const auto listed = kernel->services().list();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].provider, "greeter_provider");
}

}  // namespace
