// Stage 05's pieces on their own: the deadline list, fed times directly,
// and the connection state machine, fed events directly over a socketpair,
// or a TCP connection on loopback where TCP itself is the point (no poller,
// no server process).
#include "connection.hpp"
#include "deadline_list.hpp"
#include "http.hpp"
#include "server.hpp"
#include "support/client.hpp"
#include "support/golden.hpp"

#include <arpa/inet.h>
#include <catch2/catch_test_macros.hpp>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>
#include <vector>

using namespace evented;
using namespace std::chrono_literals;

namespace {

struct entry : deadline_hook {
    int id;
    explicit entry(int i) : id(i) {}
};

std::vector<int> ids_in_order(const deadline_list& list) {
    std::vector<int> ids;
    for (const deadline_hook* h = list.front(); h; h = h->next) ids.push_back(static_cast<const entry*>(h)->id);
    return ids;
}

// A connection on one end of a socketpair; the test is the client on the other.
struct pair_fixture {
    int client = -1;
    connection c{raii_http::unique_fd()};
    std::vector<char> scratch = std::vector<char>(raii_http::head_buffer_size);

    pair_fixture() {
        std::signal(SIGPIPE, SIG_IGN);  // as the server does
        int ends[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, ends) == 0);
        ::fcntl(ends[0], F_SETFL, O_NONBLOCK);
        c.fd.reset(ends[0]);
        client = ends[1];
    }
    ~pair_fixture() { ::close(client); }

    void send(std::string_view bytes) { REQUIRE(::write(client, bytes.data(), bytes.size()) == ssize_t(bytes.size())); }

    // One readable event, as the loop would handle it.
    state readable() { return c.current = on_readable(c, scratch); }

    std::string received() {
        std::string bytes;
        char buf[4096];
        for (ssize_t n; (n = ::recv(client, buf, sizeof buf, MSG_DONTWAIT)) > 0;) bytes.append(buf, n);
        return bytes;
    }
};

const std::string get = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

// Both ends of a TCP connection on loopback: the server's, non-blocking as
// the loop's are, and the client's.
std::pair<raii_http::unique_fd, workshop::socket_fd> tcp_pair() {
    raii_http::unique_fd listener = raii_http::listen_on(0);  // any free port
    sockaddr_in address{};
    socklen_t size = sizeof address;
    ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&address), &size);
    workshop::socket_fd client = workshop::connect_to(ntohs(address.sin_port));
    raii_http::unique_fd server(::accept(listener.get(), nullptr, nullptr));
    REQUIRE(server);
    ::fcntl(server.get(), F_SETFL, O_NONBLOCK);
    return {std::move(server), std::move(client)};
}

bool readable_soon(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 2000) == 1;
}

}  // namespace

TEST_CASE("deadline list: ordered by arrival, expired from the front", "[deadline-list]") {
    deadline_list list(5s);
    entry a(1), b(2), c(3);
    clock::time_point t0{};
    list.push_back(a, t0);
    list.push_back(b, t0 + 1s);
    list.push_back(c, t0 + 2s);
    CHECK(ids_in_order(list) == std::vector{1, 2, 3});
    CHECK(list.front()->deadline == t0 + 5s);

    SECTION("leaving from the middle keeps the rest in order") {
        list.remove(b);
        CHECK(ids_in_order(list) == std::vector{1, 3});
        CHECK(b.list == nullptr);
    }
    SECTION("expiring: everything due by a time, from the front, nothing after it") {
        std::vector<int> expired;
        while (!list.empty() && list.front()->deadline <= t0 + 6s) {
            expired.push_back(static_cast<entry*>(list.front())->id);
            list.remove(*list.front());
        }
        CHECK(expired == std::vector{1, 2});
        CHECK(ids_in_order(list) == std::vector{3});
    }
    SECTION("moving to the back renews the deadline") {
        list.remove(a);
        list.push_back(a, t0 + 3s);
        CHECK(ids_in_order(list) == std::vector{2, 3, 1});
        CHECK(a.deadline == t0 + 8s);
    }
    SECTION("the last one out leaves the list empty") {
        list.remove(a);
        list.remove(c);
        list.remove(b);
        CHECK(list.empty());
        CHECK(list.front() == nullptr);
    }
}

TEST_CASE("a whole request at once: answered and closed, no buffer of its own", "[state-machine]") {
    pair_fixture p;
    p.send(get);
    CHECK(p.readable() == state::closed);
    CHECK(p.received() == workshop::golden_response());
    CHECK(p.c.whole);
    CHECK_FALSE(p.c.reader.owns_buffer());
}

// Over TCP, where a socketpair would show neither: the answer waits in the
// socket for our FIN (MSG_MORE, on Linux), and a close with bytes of the
// client's unread sends a reset instead of the FIN, dropping what is held.
TEST_CASE("bytes behind a whole request, unread at the close: the answer still arrives", "[state-machine]") {
    std::signal(SIGPIPE, SIG_IGN);  // as the server does
    auto [server, client] = tcp_pair();
    connection c{std::move(server)};
    std::vector<char> scratch(raii_http::head_buffer_size);
    REQUIRE(workshop::send_all(client.get(), get));
    REQUIRE(readable_soon(c.fd.get()));
    CHECK(on_readable(c, scratch) == state::closed);  // one whole request: closed at once
    REQUIRE(workshop::send_all(client.get(), "GET"));  // arrives before the loop closes it
    REQUIRE(readable_soon(c.fd.get()));
    c.fd.reset();  // what the loop does with a closed connection
    workshop::reply r = workshop::read_to_end(client.get(), 2s);
    CHECK(r.bytes == workshop::golden_response());
}

TEST_CASE("a head in pieces: a buffer of its own until it is whole", "[state-machine]") {
    pair_fixture p;
    CHECK(p.readable() == state::reading_head);  // nothing yet: still waiting, still no buffer
    CHECK_FALSE(p.c.reader.owns_buffer());
    p.send("GET / HTTP/1.1\r\n");
    CHECK(p.readable() == state::reading_head);
    CHECK(p.c.reader.owns_buffer());
    CHECK(p.c.reader.held() == 16);
    p.send("Host: x\r\n\r\n");
    CHECK(p.readable() == state::closed);
    CHECK(p.received() == workshop::golden_response());
    CHECK_FALSE(p.c.reader.owns_buffer());  // freed once answered
}

TEST_CASE("a client that sends nothing and leaves is just closed", "[state-machine]") {
    pair_fixture p;
    ::shutdown(p.client, SHUT_WR);
    CHECK(p.readable() == state::closed);
    CHECK(p.received().empty());
}

TEST_CASE("a half head, then the end of the stream: 400, then lingering", "[state-machine]") {
    pair_fixture p;
    p.send("GET / HTTP/1.1\r\n");
    CHECK(p.readable() == state::reading_head);
    ::shutdown(p.client, SHUT_WR);
    CHECK(p.readable() == state::lingering);
    CHECK(p.received().starts_with("HTTP/1.1 400 Bad Request\r\n"));
    CHECK(p.readable() == state::closed);  // lingering reads the end of the stream
}

TEST_CASE("pipelined requests: one answer, then lingering until the client leaves", "[state-machine]") {
    pair_fixture p;
    p.send(get + get);
    CHECK(p.readable() == state::lingering);  // more than one request: not closed with bytes unread
    CHECK(p.received() == workshop::golden_response());
    CHECK(p.readable() == state::lingering);  // drops the second request
    ::shutdown(p.client, SHUT_WR);
    CHECK(p.readable() == state::closed);
}

TEST_CASE("an answer that does not fit waits for writable", "[state-machine]") {
    pair_fixture p;
    // Fill the socket's send buffer first, so the answer cannot go out.
    int size = 4096;
    ::setsockopt(p.c.fd.get(), SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    std::string filler(4096, 'x');
    while (::write(p.c.fd.get(), filler.data(), filler.size()) > 0) {
    }
    p.send(get);
    CHECK(p.readable() == state::writing);
    CHECK_FALSE(p.c.unsent.empty());
    CHECK(on_writable(p.c) == state::writing);  // still full: nothing lost, nothing spun
    // The client reads everything; now the rest fits.
    std::string all = p.received();
    p.c.current = on_writable(p.c);
    CHECK(p.c.current == state::closed);
    all += p.received();
    CHECK(all.ends_with(workshop::golden_response()));
}

TEST_CASE("each state waits for what it needs", "[state-machine]") {
    CHECK(interest_of(state::reading_head) == interest::read);
    CHECK(interest_of(state::writing) == interest::write);
    CHECK(interest_of(state::lingering) == interest::read);
    CHECK_FALSE(interest_of(state::closed).has_value());
}
