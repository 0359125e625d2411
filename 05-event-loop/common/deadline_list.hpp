// Timeouts without a heap. Every entry of one list waits the same length of
// time (a loop's read timeout, or its linger time), so appending at the
// back keeps the list ordered by deadline: the front always expires first.
// Append, remove and "what expires next" are all O(1); the poller's wait
// timeout is the time left until the front's deadline.
//
// Intrusive: the links live in the entry itself (deadline_hook), so
// joining a list allocates nothing and an entry can leave from anywhere.
#pragma once

#include <cassert>
#include <chrono>

namespace evented {

using clock = std::chrono::steady_clock;

class deadline_list;

struct deadline_hook {
    clock::time_point deadline{};
    deadline_hook* prev = nullptr;
    deadline_hook* next = nullptr;
    deadline_list* list = nullptr;  // the list it is on, if any
};

// tutorial: deadline-list
class deadline_list {
public:
    explicit deadline_list(clock::duration length) : length_(length) {}
    deadline_list(const deadline_list&) = delete;
    deadline_list& operator=(const deadline_list&) = delete;

    // Joins at the back, due `length` after `now`. `now` must not go
    // backwards between calls (steady_clock), which keeps the order.
    void push_back(deadline_hook& h, clock::time_point now) {
        assert(h.list == nullptr);
        h.deadline = now + length_;
        h.prev = back_;
        h.next = nullptr;
        (back_ ? back_->next : front_) = &h;
        back_ = &h;
        h.list = this;
    }

    void remove(deadline_hook& h) {
        assert(h.list == this);
        (h.prev ? h.prev->next : front_) = h.next;
        (h.next ? h.next->prev : back_) = h.prev;
        h.prev = h.next = nullptr;
        h.list = nullptr;
    }

    // The entry due first, or nullptr when the list is empty.
    deadline_hook* front() const { return front_; }
    bool empty() const { return front_ == nullptr; }

private:
    clock::duration length_;
    deadline_hook* front_ = nullptr;
    deadline_hook* back_ = nullptr;
};
// end tutorial

}  // namespace evented
