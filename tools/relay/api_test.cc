#include "tools/relay/api.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"

namespace ipckit::relay_tool {
namespace {

// FakeHost records what the API asks of relay's workers.
class FakeHost : public ProxyHost {
 public:
  absl::StatusOr<std::string> Start(const std::string& name, const std::string& listen, const std::string& upstream,
                                    const std::vector<Fault>& faults) override {
    if (listen == "bad") return absl::InvalidArgumentError("invalid FROM 'bad'");
    if (listen == "127.0.0.1:1") return absl::PermissionDeniedError("listen 127.0.0.1:1: Permission denied");
    running[name] = upstream;
    this->faults[name] = faults;
    ++starts;
    return absl::StrReplaceAll(listen, {{":0", ":4000"}});
  }
  void Stop(const std::string& name) override { running.erase(name); }
  void SetFaults(const std::string& name, const std::vector<Fault>& f) override { faults[name] = f; }

  std::map<std::string, std::string> running;  // Name -> upstream.
  std::map<std::string, std::vector<Fault>> faults;
  int starts = 0;
};

http::Request Req(const std::string& method, const std::string& path, const std::string& body = "") {
  http::Request r;
  r.method = method;
  r.path = path;
  r.body = body;
  return r;
}

class ApiTest : public ::testing::Test {
 protected:
  Response Do(const std::string& method, const std::string& path, const std::string& body = "") {
    return api.Handle(Req(method, path, body));
  }
  FakeHost host;
  ToxiproxyApi api{&host};
};

TEST_F(ApiTest, VersionAndUnknownPaths) {
  Response v = Do("GET", "/version");
  EXPECT_EQ(v.status, 200);
  EXPECT_EQ(v.body, "{\"version\": \"2.12.0+relay\"}\n");
  EXPECT_EQ(Do("GET", "/nope").status, 404);
  EXPECT_EQ(Do("GET", "/nope").body, "404 page not found\n");
  EXPECT_EQ(Do("DELETE", "/version").status, 405);
  EXPECT_EQ(Do("GET", "/proxies/x/nope").status, 404);
}

TEST_F(ApiTest, CreateShowListAndDeleteAProxy) {
  Response c = Do("POST", "/proxies", R"({"name":"redis","listen":"127.0.0.1:0","upstream":"127.0.0.1:6379"})");
  EXPECT_EQ(c.status, 201);
  EXPECT_EQ(c.body, R"({"name":"redis","listen":"127.0.0.1:4000","upstream":"127.0.0.1:6379","enabled":true,"toxics":[]})");
  EXPECT_EQ(host.running.at("redis"), "127.0.0.1:6379");
  EXPECT_EQ(Do("GET", "/proxies/redis").body, c.body);
  EXPECT_EQ(Do("GET", "/proxies").body, absl::StrCat(R"({"redis":)", c.body, "}"));
  EXPECT_EQ(Do("POST", "/proxies", R"({"name":"redis","upstream":"x:1"})").body,
            "{\"error\":\"proxy already exists\",\"status\":409}\n");
  EXPECT_EQ(Do("DELETE", "/proxies/redis").status, 204);
  EXPECT_TRUE(host.running.empty());
  EXPECT_EQ(Do("GET", "/proxies/redis").body, "{\"error\":\"proxy not found\",\"status\":404}\n");
}

TEST_F(ApiTest, CreateRefusalsAreToxiproxys) {
  struct Case {
    std::string body;
    int status;
    std::string error;
  } cases[] = {
      {"", 400, "bad request body: EOF"},
      {"{", 400, ""},
      {R"({"upstream":"a:1"})", 400, "missing required field: name"},
      {R"({"name":"a"})", 400, "missing required field: upstream"},
      {R"({"name":"a","upstream":"a:1","enabled":"yes"})", 400, "bad request body: 'enabled' must be true or false"},
      {R"({"name":"a","upstream":"a:1","listen":"bad"})", 400, "invalid FROM 'bad'"},
      {R"({"name":"a","upstream":"a:1","listen":"127.0.0.1:1"})", 500, "listen 127.0.0.1:1: Permission denied"},
  };
  for (const Case& c : cases) {
    Response r = Do("POST", "/proxies", c.body);
    EXPECT_EQ(r.status, c.status) << c.body;
    if (!c.error.empty()) {
      EXPECT_EQ(r.body, absl::StrCat(R"({"error":")", c.error, R"(","status":)", c.status, "}\n"));
    }
  }
  EXPECT_EQ(Do("GET", "/proxies").body, "{}");
}

TEST_F(ApiTest, ToxicsBecomeFaultsOnTheirProxy) {
  ASSERT_EQ(Do("POST", "/proxies", R"({"name":"db","upstream":"127.0.0.1:5432"})").status, 201);
  Response t = Do("POST", "/proxies/db/toxics", R"({"type":"latency","attributes":{"latency":100,"jitter":10}})");
  EXPECT_EQ(t.status, 200);
  EXPECT_EQ(t.body,
            R"({"attributes":{"latency":100,"jitter":10},"name":"latency_downstream","type":"latency",)"
            R"("stream":"downstream","toxicity":1})");
  ASSERT_EQ(host.faults.at("db").size(), 1u);
  EXPECT_EQ(FormatFault(host.faults.at("db")[0]), "latency 100ms jitter=10ms dir=down p=1 name=latency_downstream");
  EXPECT_EQ(Do("POST", "/proxies/db/toxics", R"({"type":"latency"})").status, 409);
  EXPECT_EQ(Do("POST", "/proxies/db/toxics", R"({"type":"lag"})").body,
            "{\"error\":\"invalid toxic type\",\"status\":400}\n");
  EXPECT_EQ(Do("POST", "/proxies/db/toxics", R"({"type":"timeout","stream":"sideways"})").body,
            "{\"error\":\"stream was invalid, can be either upstream or downstream\",\"status\":400}\n");
  Response u = Do("POST", "/proxies/db/toxics/latency_downstream", R"({"attributes":{"latency":5},"toxicity":0.5})");
  EXPECT_EQ(u.status, 200);
  EXPECT_EQ(FormatFault(host.faults.at("db")[0]), "latency 5ms jitter=10ms dir=down p=0.5 name=latency_downstream");
  ASSERT_EQ(Do("POST", "/proxies/db/toxics", R"({"name":"cut","type":"limit_data","stream":"upstream",)"
                                             R"("attributes":{"bytes":10}})").status, 200);
  EXPECT_EQ(FormatFault(host.faults.at("db")[1]), "limit-data 10 dir=up p=1 name=cut");
  EXPECT_EQ(Do("GET", "/proxies/db/toxics").body.substr(0, 2), "[{");
  EXPECT_EQ(Do("DELETE", "/proxies/db/toxics/latency_downstream").status, 204);
  EXPECT_EQ(host.faults.at("db").size(), 1u);
  EXPECT_EQ(Do("GET", "/proxies/db/toxics/latency_downstream").status, 404);
  EXPECT_EQ(Do("POST", "/proxies/nope/toxics", R"({"type":"latency"})").status, 404);
}

TEST_F(ApiTest, EveryToxicTypeMapsToItsFault) {
  struct Case {
    std::string toxic, fault;
  } cases[] = {
      {R"({"type":"bandwidth","attributes":{"rate":64}})", "bandwidth 64000 dir=down p=1 name=bandwidth_downstream"},
      {R"({"type":"slicer","attributes":{"average_size":64,"size_variation":8,"delay":1000}})",
       "slicer 64 delay=1ms dir=down p=1 name=slicer_downstream"},
      {R"({"type":"timeout","attributes":{"timeout":2000}})", "timeout 2s dir=down p=1 name=timeout_downstream"},
      {R"({"type":"reset_peer","attributes":{"timeout":500}})", "reset-peer 500ms dir=down p=1 name=reset_peer_downstream"},
      {R"({"type":"slow_close","stream":"upstream","attributes":{"delay":1000}})",
       "slow-close 1s dir=up p=1 name=slow_close_upstream"},
  };
  ASSERT_EQ(Do("POST", "/proxies", R"({"name":"p","upstream":"127.0.0.1:1"})").status, 201);
  for (const Case& c : cases) {
    ASSERT_EQ(Do("POST", "/proxies/p/toxics", c.toxic).status, 200) << c.toxic;
    EXPECT_EQ(FormatFault(host.faults.at("p").back()), c.fault);
  }
  // Rate 0 limits nothing, as in toxiproxy: the toxic is listed, no fault is made.
  ASSERT_EQ(Do("POST", "/proxies/p/toxics", R"({"name":"free","type":"bandwidth"})").status, 200);
  EXPECT_EQ(host.faults.at("p").size(), 5u);
}

TEST_F(ApiTest, DisableEnableAndReset) {
  ASSERT_EQ(Do("POST", "/proxies", R"({"name":"p","upstream":"127.0.0.1:1"})").status, 201);
  ASSERT_EQ(Do("POST", "/proxies/p/toxics", R"({"type":"timeout"})").status, 200);
  Response off = Do("POST", "/proxies/p", R"({"enabled":false})");
  EXPECT_EQ(off.status, 200);
  EXPECT_NE(off.body.find("\"enabled\":false"), std::string::npos);
  EXPECT_FALSE(host.running.count("p"));
  EXPECT_EQ(Do("PATCH", "/proxies/p", R"({"enabled":true})").status, 200);
  EXPECT_TRUE(host.running.count("p"));
  EXPECT_EQ(host.faults.at("p").size(), 1u);  // Restarted with its toxics.
  ASSERT_EQ(Do("POST", "/proxies/p", R"({"enabled":false})").status, 200);
  EXPECT_EQ(Do("POST", "/reset").status, 204);
  EXPECT_TRUE(host.running.count("p"));
  EXPECT_TRUE(host.faults.at("p").empty());
  EXPECT_EQ(Do("GET", "/proxies/p/toxics").body, "[]");
}

TEST_F(ApiTest, PopulateCreatesKeepsAndReplaces) {
  Response r = Do("POST", "/populate", R"([{"name":"a","upstream":"127.0.0.1:1"},{"name":"b","upstream":"127.0.0.1:2",)"
                                       R"("listen":"127.0.0.1:7000","enabled":false}])");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body,
            R"({"proxies":[{"name":"a","listen":"127.0.0.1:4000","upstream":"127.0.0.1:1","enabled":true,"toxics":[]},)"
            R"({"name":"b","listen":"127.0.0.1:7000","upstream":"127.0.0.1:2","enabled":false,"toxics":[]}]})");
  int starts = host.starts;
  // The same b is kept; a new upstream for a replaces it.
  r = Do("POST", "/populate", R"([{"name":"b","upstream":"127.0.0.1:2","listen":"127.0.0.1:7000"},)"
                              R"({"name":"a","upstream":"127.0.0.1:9"}])");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(host.starts, starts + 1);
  EXPECT_EQ(host.running.at("a"), "127.0.0.1:9");
  EXPECT_EQ(Do("POST", "/populate", R"([{"name":"c","upstream":"x:1"},{"upstream":"y:1"}])").body,
            "{\"error\":\"missing required field: name at proxy 2\",\"status\":400}\n");
  EXPECT_EQ(Do("POST", "/populate", R"([{"name":"c","upstream":"x:1"},{"name":"d","upstream":"y:1","listen":"bad"}])").body,
            R"({"error":"invalid FROM 'bad'","status":400,"proxies":[{"name":"c","listen":"127.0.0.1:4000",)"
            R"("upstream":"x:1","enabled":true,"toxics":[]}]})");
  EXPECT_EQ(Do("POST", "/populate", "{}").status, 400);
}

TEST_F(ApiTest, ABrowserIsRefused) {
  http::Request r = Req("GET", "/proxies");
  r.headers.emplace_back("user-agent", "Mozilla/5.0 (X11; Linux x86_64)");
  Response a = api.Handle(r);
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.body, "User agent not allowed\n");
}

TEST_F(ApiTest, ProtocolAnswersPipelinedRequestsAndClosesOnAMalformedOne) {
  server::ControlSocket::Protocol p = api.Protocol();
  std::string two = "GET /version HTTP/1.1\r\nHost: x\r\n\r\nGET /proxies HTTP/1.1\r\nConnection: close\r\n\r\n";
  std::optional<server::ControlSocket::Reply> first = p(two, false);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->bytes.substr(0, 17), "HTTP/1.1 200 OK\r\n");
  EXPECT_FALSE(first->close);
  std::optional<server::ControlSocket::Reply> second = p(std::string(two).substr(first->consumed), false);
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(second->close);
  EXPECT_EQ(second->bytes, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                           "Connection: close\r\n\r\n{}");
  EXPECT_FALSE(p("GET /vers", false).has_value());
  std::optional<server::ControlSocket::Reply> bad = p("GET x HTTP/1.1\r\n\r\n", false);
  ASSERT_TRUE(bad.has_value());
  EXPECT_TRUE(bad->close);
  EXPECT_EQ(bad->bytes.substr(0, 26), "HTTP/1.1 400 Bad Request\r\n");
}

}  // namespace
}  // namespace ipckit::relay_tool
