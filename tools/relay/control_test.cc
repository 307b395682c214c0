#include "tools/relay/control.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ipckit::relay_tool {
namespace {

std::string Stats() { return "{\"accepted\":0}"; }

TEST(ControlTest, AddsListsAndRemovesFaults) {
  FaultTable t;
  uint64_t v = t.version();
  EXPECT_EQ(ExecuteControl("fault add latency 100ms jitter=20ms", t, Stats), "ok latency");
  EXPECT_GT(t.version(), v);
  EXPECT_EQ(ExecuteControl("fault add latency 1s", t, Stats),
            "error: a fault named 'latency' exists (give name=OTHER, or fault rm it first)");
  EXPECT_EQ(ExecuteControl("fault add limit-data 10 dir=up name=cut\n", t, Stats), "ok cut");
  EXPECT_EQ(ExecuteControl("fault list", t, Stats),
            "[{\"name\":\"latency\",\"kind\":\"latency\",\"dir\":\"down\",\"p\":1,\"ms\":100,"
            "\"jitter_ms\":20},{\"name\":\"cut\",\"kind\":\"limit-data\",\"dir\":\"up\",\"p\":1,"
            "\"bytes\":10,\"close\":\"fin\"}]");
  EXPECT_EQ(ExecuteControl("fault rm latency", t, Stats), "ok");
  EXPECT_EQ(ExecuteControl("fault rm latency", t, Stats), "error: no fault named 'latency'");
  EXPECT_EQ(ExecuteControl("fault clear", t, Stats), "ok");
  EXPECT_EQ(ExecuteControl("fault list", t, Stats), "[]");
}

TEST(ControlTest, AdmissionCommands) {
  FaultTable t;
  EXPECT_EQ(ExecuteControl("down", t, Stats), "ok");
  EXPECT_EQ(t.admission(), Admission::kReset);
  EXPECT_EQ(ExecuteControl("down close", t, Stats), "ok");
  EXPECT_EQ(t.admission(), Admission::kClose);
  EXPECT_EQ(ExecuteControl("stall", t, Stats), "ok");
  EXPECT_EQ(t.admission(), Admission::kStall);
  EXPECT_EQ(ExecuteControl("  up ", t, Stats), "ok");
  EXPECT_EQ(t.admission(), Admission::kServe);
}

TEST(ControlTest, StatsHelpAndErrors) {
  FaultTable t;
  EXPECT_EQ(ExecuteControl("stats", t, Stats), "{\"accepted\":0}");
  EXPECT_THAT(ExecuteControl("help", t, Stats), ::testing::StartsWith("ok commands: fault add KIND"));
  EXPECT_EQ(ExecuteControl("fault add lag 1s", t, Stats),
            "error: unknown fault 'lag' (latency, bandwidth, slicer, limit-data, timeout, reset-peer, slow-close, "
            "loss, duplicate, reorder)");
  EXPECT_EQ(ExecuteControl("fault frob", t, Stats), "error: unknown command 'fault frob' (fault add, rm, list, clear)");
  EXPECT_EQ(ExecuteControl("reboot", t, Stats), "error: unknown command 'reboot' (try help)");
  EXPECT_EQ(ExecuteControl("", t, Stats), "error: unknown command '' (try help)");
}

}  // namespace
}  // namespace ipckit::relay_tool
