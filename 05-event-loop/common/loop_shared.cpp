#include "loop_shared.hpp"

#include <algorithm>

namespace evented {

std::optional<std::chrono::milliseconds> time_to_wait(clock::time_point now, std::optional<clock::time_point> wake_at,
                                                      std::initializer_list<const deadline_list*> lists) {
    for (const deadline_list* list : lists)
        if (!list->empty() && (!wake_at || list->front()->deadline < *wake_at)) wake_at = list->front()->deadline;
    if (!wake_at) return std::nullopt;
    // Rounded up: waking a little late is fine, waking early just waits again.
    return std::max(std::chrono::ceil<std::chrono::milliseconds>(*wake_at - now), std::chrono::milliseconds(0));
}

}  // namespace evented
