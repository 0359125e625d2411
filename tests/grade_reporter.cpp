// The reporter ./workshop grade reads (--reporter grade): a line as each
// test case starts, so that a run stopped at its time limit still says
// where it was, and a verdict at the end, one line: "yes", or "no: " and
// the first failed check, said as its test case, its last INFO and the
// check itself. A capability skipped here is not earned: "no: not checked
// here: " and why.
#include <catch2/catch_test_case_info.hpp>
#include <catch2/reporters/catch_reporter_registrars.hpp>
#include <catch2/reporters/catch_reporter_streaming_base.hpp>
#include <ostream>
#include <string>

namespace {

// The first line of `text`, cut to `limit` characters.
std::string first_line(const std::string& text, std::size_t limit = 160) {
    std::string line = text.substr(0, text.find('\n'));
    if (line.size() > limit) line = line.substr(0, limit) + "...";
    return line;
}

class grade_reporter : public Catch::StreamingReporterBase {
public:
    using StreamingReporterBase::StreamingReporterBase;

    static std::string getDescription() {
        return "one line for ./workshop grade: yes, or no and the first failed check";
    }

    void testCaseStarting(const Catch::TestCaseInfo& info) override {
        StreamingReporterBase::testCaseStarting(info);
        m_stream << "running: " << info.name << std::endl;
    }

    void assertionEnded(const Catch::AssertionStats& stats) override {
        const Catch::AssertionResult& result = stats.assertionResult;
        bool skipped = result.getResultType() == Catch::ResultWas::ExplicitSkip;
        if (result.isOk() && !skipped) return;
        std::string& slot = skipped ? skip_ : failure_;
        if (!slot.empty()) return;  // the first one says it
        if (skipped) {
            slot = first_line(std::string(result.getMessage()));
            return;
        }
        slot = where();
        if (result.hasMessage()) {
            // FAIL, or an exception the test did not expect.
            slot += first_line(std::string(result.getMessage()));
        } else {
            if (!stats.infoMessages.empty()) {
                std::string info = first_line(stats.infoMessages.back().message);
                while (!info.empty() && (info.back() == ':' || info.back() == ' ')) info.pop_back();
                slot += info + ": ";
            }
            slot += "failed " + first_line(result.getExpression());
            // The values compared, where they fit on the line ({?}: a value
            // Catch2 cannot print).
            std::string expanded = result.getExpandedExpression();
            if (expanded.find('\n') == std::string::npos && expanded.size() < 80 &&
                expanded.find("{?}") == std::string::npos && expanded != result.getExpression())
                slot += " (" + expanded + ")";
        }
    }

    void testRunEnded(const Catch::TestRunStats& stats) override {
        StreamingReporterBase::testRunEnded(stats);
        if (!failure_.empty()) m_stream << "no: " << failure_ << std::endl;
        else if (stats.totals.testCases.total() == 0) m_stream << "no: no test selected" << std::endl;
        else if (!skip_.empty()) m_stream << "no: not checked here: " << skip_ << std::endl;
        else m_stream << "yes" << std::endl;
    }

private:
    // "test case / section: " where the check failed.
    std::string where() const {
        std::string text = currentTestCaseInfo->name;
        if (m_sectionStack.size() > 1) text += " / " + m_sectionStack.back().name;
        return text + ": ";
    }

    std::string failure_, skip_;
};

}  // namespace

CATCH_REGISTER_REPORTER("grade", grade_reporter)
