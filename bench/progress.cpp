#include "progress.hpp"

#include <cstdio>
#include <unistd.h>

namespace bench {

progress::progress() : terminal_(::isatty(STDERR_FILENO) == 1) {
    if (!terminal_) return;
    ticker_ = std::thread([this] {
        while (!done_) {
            draw();
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    });
}

progress::~progress() {
    if (!terminal_) return;
    done_ = true;
    ticker_.join();
    std::fputs("\r\033[K", stderr);  // back to the start of the line, erase it
}

void progress::step(std::string what) {
    {
        std::lock_guard lock(mutex_);
        step_ = std::move(what);
    }
    draw();
}

void progress::window(const std::string& what) {
    ++windows_done_;
    std::string of = windows_total_ > 0 ? " of " + std::to_string(windows_total_) : "";
    step("window " + std::to_string(windows_done_) + of + ": " + what);
}

void progress::draw() {
    std::lock_guard lock(mutex_);
    if (step_.empty()) return;
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    if (terminal_)
        std::fprintf(stderr, "\r\033[Kbench [%5.1f s] %s", elapsed, step_.c_str());
    else
        std::fprintf(stderr, "bench [%5.1f s] %s\n", elapsed, step_.c_str());
}

}  // namespace bench
