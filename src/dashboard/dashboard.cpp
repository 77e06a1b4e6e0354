// The dashboard's server: the page and its files, a stream of messages
// (server-sent events, one every kTick), and one snapshot as JSON. A
// sampler thread drains the live collector and reads memory and workers
// each tick; readers wait for the tick and are sent what changed.
#include "dagger/dashboard.hpp"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "core/clock.hpp"
#include "dagger/errors.hpp"
#include "dashboard/dashboard_state.hpp"
#include "dashboard/live_collector.hpp"
#include "dashboard/sampler.hpp"
#include "dashboard/web_page.hpp"

namespace dagger {
namespace {

constexpr auto kTick = std::chrono::milliseconds(250);
std::atomic<bool> one_running{false};

struct Address {
  std::string host;
  int port;
};

Address parse_address(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    throw UsageError("dashboard address '" + text + "' is not HOST:PORT (e.g. 127.0.0.1:8787)");
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535) throw UsageError("dashboard address '" + text + "': bad port");
  return {host, port};
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::string random_token() {
  std::random_device device;
  std::string token;
  const char* hex = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) token += hex[device() % 16];
  return token;
}

// Equal in time that does not depend on where they differ.
bool same_secret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

class Dashboard::Impl {
 public:
  explicit Impl(const std::string& address);
  ~Impl();

  int port = 0;
  std::string host;
  std::string token;

 private:
  void routes();
  void sample_loop();

  httplib::Server server_;
  std::thread listener_;
  std::thread sampler_thread_;
  detail::Sampler sampler_;
  std::mutex mutex_;
  std::condition_variable ticked_;
  std::uint64_t tick_ = 0;
  bool stopping_ = false;
  detail::DashboardState state_;
};

Dashboard::Impl::Impl(const std::string& address) : state_(detail::now_ns()) {
  const Address a = parse_address(address);
  host = a.host;
  if (!is_loopback(host)) token = random_token();
  routes();
  port = a.port == 0 ? server_.bind_to_any_port(host) : (server_.bind_to_port(host, a.port) ? a.port : -1);
  if (port <= 0) throw Error("dashboard: cannot listen on " + address + " (in use, or not an address of this host)");
  detail::LiveCollector::instance().attach();
  sampler_thread_ = std::thread([this] { sample_loop(); });
  listener_ = std::thread([this] { server_.listen_after_bind(); });
  // stop() before the server runs would not stop it: wait until it does.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

Dashboard::Impl::~Impl() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ticked_.notify_all();
  server_.stop();
  if (listener_.joinable()) listener_.join();
  if (sampler_thread_.joinable()) sampler_thread_.join();
  detail::LiveCollector::instance().detach();
}

void Dashboard::Impl::routes() {
  server_.set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    if (token.empty() || same_secret(request.get_param_value("token"), token)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    response.status = 403;
    response.set_content("403: this dashboard needs the token that its process printed (?token=...)\n",
                         "text/plain");
    return httplib::Server::HandlerResponse::Handled;
  });
  server_.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(detail::served_page(), "text/html; charset=utf-8");
  });
  server_.Get(R"(/([A-Za-z.]+\.(js|css)))", [](const httplib::Request& request, httplib::Response& response) {
    const std::string path = request.matches[1];
    const std::string_view file = detail::web_file(path);
    if (file.empty()) {
      response.status = 404;
      return;
    }
    response.set_content(file.data(), file.size(), std::string(detail::content_type_of(path)).c_str());
  });
  server_.Get("/api/state", [this](const httplib::Request&, httplib::Response& response) {
    detail::DashboardState::Cursor cursor;
    std::lock_guard lock(mutex_);
    response.set_content(state_.frame(cursor, detail::now_ns()), "application/json");
  });
  server_.Get("/events", [this](const httplib::Request&, httplib::Response& response) {
    response.set_header("Cache-Control", "no-cache");
    auto cursor = std::make_shared<detail::DashboardState::Cursor>();
    response.set_chunked_content_provider("text/event-stream", [this, cursor](std::size_t, httplib::DataSink& sink) {
      std::string message;
      {
        std::unique_lock lock(mutex_);
        if (cursor->started) {
          const std::uint64_t seen = tick_;
          ticked_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || tick_ != seen; });
        }
        if (stopping_) return false;
        message = "data: " + state_.frame(*cursor, detail::now_ns()) + "\n\n";
      }
      return sink.write(message.data(), message.size());  // false once the page is gone
    });
  });
}

void Dashboard::Impl::sample_loop() {
  std::vector<detail::LiveRecord> records;
  std::vector<detail::ComputationNews> news;
  std::vector<detail::CountedTasks> counted;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (ticked_.wait_for(lock, kTick, [&] { return stopping_; })) return;
    }
    records.clear();
    news.clear();
    counted.clear();
    detail::LiveCollector::instance().drain(records, news, counted);
    detail::Samples samples = sampler_.sample(detail::now_ns());
    {
      std::lock_guard lock(mutex_);
      state_.apply(records, news, counted);
      state_.set_samples(std::move(samples));
      ++tick_;
    }
    ticked_.notify_all();
  }
}

Dashboard::Dashboard(const std::string& address) {
  if (one_running.exchange(true)) throw UsageError("a dashboard is already running in this process (one at a time)");
  try {
    impl_ = std::make_unique<Impl>(address);
  } catch (...) {
    one_running.store(false);
    throw;
  }
  std::cerr << "dagger: dashboard at " << url() << "\n";
}

Dashboard::~Dashboard() {
  impl_.reset();
  one_running.store(false);
}

int Dashboard::port() const { return impl_->port; }
const std::string& Dashboard::token() const { return impl_->token; }

std::string Dashboard::url() const {
  const std::string shown = impl_->host.find(':') != std::string::npos ? "[" + impl_->host + "]" : impl_->host;
  return "http://" + shown + ":" + std::to_string(impl_->port) + "/" +
         (impl_->token.empty() ? "" : "?token=" + impl_->token);
}

}  // namespace dagger
