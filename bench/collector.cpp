#include "collector.hpp"

#include <algorithm>

namespace bench {

void add_statistics(benchmark::internal::Benchmark* b) {
    b->ComputeStatistics("min", [](const std::vector<double>& v) {
        return *std::min_element(v.begin(), v.end());
    });
    b->ComputeStatistics("max", [](const std::vector<double>& v) {
        return *std::max_element(v.begin(), v.end());
    });
    b->ComputeStatistics("sum", [](const std::vector<double>& v) {
        double total = 0;
        for (double x : v) total += x;
        return total;
    });
}

// With DisplayAggregatesOnly, this reporter sees a benchmark's aggregates;
// when there are none (one window, or every window failed) it sees the
// windows themselves.
void collector::ReportRuns(const std::vector<Run>& runs) {
    for (const Run& run : runs) {
        auto it = by_name_.find(run.run_name.function_name);
        if (it == by_name_.end()) continue;
        measurement& m = *it->second;
        if (run.error_occurred) {
            m.problem = run.error_message;
            continue;
        }
        if (run.run_type == Run::RT_Iteration) {  // a single window: it is every statistic
            m.windows = 1;
            for (const auto& [name, counter] : run.counters)
                m.counters[name] = {counter.value, counter.value, counter.value, counter.value, 0};
            continue;
        }
        m.windows = static_cast<int>(run.repetitions);
        for (const auto& [name, counter] : run.counters) {
            spread& s = m.counters[name];
            const std::string& statistic = run.aggregate_name;
            if (statistic == "median") s.median = counter.value;
            else if (statistic == "min") s.min = counter.value;
            else if (statistic == "max") s.max = counter.value;
            else if (statistic == "sum") s.sum = counter.value;
            else if (statistic == "cv") s.cv = counter.value;
        }
    }
}

}  // namespace bench
