// The live status line on stderr: which step runs now and the time since
// the benchmark started. On a terminal it redraws itself in place; in a log
// (CTest, CI) it writes one line per step instead.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

namespace bench {

class progress {
public:
    progress();
    ~progress();  // clears the line
    progress(const progress&) = delete;
    progress& operator=(const progress&) = delete;

    void step(std::string what);  // e.g. "client check: wrk"
    // The measuring windows: "window 17 of 180: 03-raii-cpp / 32 clients";
    // without "of 180" when the total is not known (0).
    void expect_windows(int total) { windows_total_ = total; }
    void window(const std::string& what);

private:
    void draw();

    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    bool terminal_;
    std::mutex mutex_;
    std::string step_;
    int windows_total_ = 0, windows_done_ = 0;
    std::atomic<bool> done_ = false;
    std::thread ticker_;  // redraws a terminal's line while a step runs
};

}  // namespace bench
