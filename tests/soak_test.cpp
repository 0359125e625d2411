// A soak: 100,000 requests against stage 04, with its memory and descriptors
// flat from the first tenth to the end. Hidden from the ordinary run (the
// "." tag); ./workshop soak runs it.
#include "stages.hpp"
#include "support/client.hpp"

#include <atomic>
#include <catch2/catch_test_macros.hpp>
#include <thread>
#include <vector>

using namespace workshop;

namespace {

// `total` requests from `clients` threads; how many got the golden bytes.
int requests(int port, int clients, int total) {
    std::atomic<int> golden = 0;
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c)
        threads.emplace_back([&] {
            for (int r = 0; r < total / clients; ++r) golden += exchange(port).bytes == golden_response();
        });
    for (auto& t : threads) t.join();
    return golden;
}

}  // namespace

TEST_CASE("100,000 requests with memory and descriptors flat", "[.soak]") {
    auto server = start_server();
    if (!resident_kib(server->pid())) SKIP("cannot read the server's memory on this system (Linux: /proc, macOS: libproc)");
    const int clients = 16;

    REQUIRE(requests(server->port(), clients, 10'000) == 10'000);  // warm-up: pools and caches fill
    auto rss_before = *resident_kib(server->pid());
    auto fds_before = *open_descriptors(server->pid());

    REQUIRE(requests(server->port(), clients, 90'000) == 90'000);
    std::this_thread::sleep_for(500ms);
    auto rss_after = *resident_kib(server->pid());
    auto fds_after = *open_descriptors(server->pid());
    UNSCOPED_INFO("resident memory " << rss_before << " KiB after 10,000 requests, " << rss_after
                                     << " KiB after 100,000; descriptors " << fds_before << " and " << fds_after);
    CHECK(fds_after <= fds_before);
    CHECK(rss_after <= rss_before + 1024);  // within 1 MiB: allocator noise, not a leak
    CHECK(server->running());
}
