// One event loop: a thread, a poller, and every connection that thread
// accepted. Stage 05 runs one loop per core (--loops); they share only the
// listener, the stop signal's descriptor and the connection count.
#pragma once

#include "connection.hpp"
#include "deadline_list.hpp"
#include "loop_shared.hpp"
#include "poller.hpp"
#include "unique_fd.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace evented {

class event_loop {
public:
    explicit event_loop(shared_state& shared);  // creates the poller (before the listener exists)
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
    void settle(connection& c, state from, clock::time_point now);
    void forget(connection& c);
    void expire(deadline_list& list, clock::time_point now);
    void pause_accepting(clock::time_point now);
    void resume_accepting();
    void stop_accepting();

    shared_state& shared_;
    poller poller_;
    deadline_list active_;     // reading_head and writing: the read timeout
    deadline_list lingering_;  // lingering: the linger time
    std::vector<std::unique_ptr<connection>> connections_;  // indexed by descriptor
    std::unique_ptr<char[]> scratch_;  // every connection's first read lands here
    bool accepting_ = true;            // the listener is in our poller
    bool stopping_ = false;
    std::optional<clock::time_point> resume_accepting_at_;  // after running out of descriptors
};

}  // namespace evented
