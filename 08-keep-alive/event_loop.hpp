// One event loop: a thread, a poller, and every connection that thread
// accepted. Stage 08 runs one loop per core (--loops), as 05 does; they
// share only the listener, the stop signal's descriptor and the connection
// count.
#pragma once

#include "connection.hpp"
#include "deadline_list.hpp"
#include "loop_shared.hpp"
#include "poller.hpp"
#include "unique_fd.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace evented {

// How long a kept connection may wait between requests, and how many
// requests it may make.
struct keep_alive_limits {
    std::chrono::milliseconds timeout{5000};
    long max_requests = 1000;
};

class event_loop {
public:
    event_loop(shared_state& shared, keep_alive_limits limits);  // creates the poller (before the listener exists)
    event_loop(const event_loop&) = delete;
    event_loop& operator=(const event_loop&) = delete;
    ~event_loop();

    // Watches the listener and the stop fd, then serves until a stop was
    // requested and every connection is done.
    void run();

private:
    void accept_clients(clock::time_point now);
    void start(raii_http::unique_fd client, clock::time_point now);
    void on_event(connection& c, const event& e, clock::time_point now);
    void settle(connection& c, bool answered, clock::time_point now);
    deadline_list& list_of(state s);
    void forget(connection& c);
    void expire(deadline_list& list, clock::time_point now);
    void pause_accepting(clock::time_point now);
    void resume_accepting();
    void stop_accepting();

    shared_state& shared_;
    long max_requests_;
    poller poller_;
    deadline_list idle_;       // idle: the keep-alive timeout
    deadline_list active_;     // reading_head and writing: the read timeout
    deadline_list lingering_;  // lingering: the linger time
    std::vector<std::unique_ptr<connection>> connections_;  // indexed by descriptor
    std::unique_ptr<char[]> scratch_;  // every connection's first read lands here
    std::string answers_;              // every read's answers are gathered here
    bool accepting_ = true;            // the listener is in our poller
    bool stopping_ = false;
    std::optional<clock::time_point> resume_accepting_at_;  // after running out of descriptors
};

}  // namespace evented
