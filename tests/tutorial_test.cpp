// Keeps tutorial.md true. Two kinds of block in it are checked:
//
//   <!-- include: 02-c-abi-from-cpp/main.cpp accept-loop -->
//   ```cpp
//   ...must equal the lines between "// tutorial: accept-loop" and
//   "// end tutorial" in that file...
//   ```
//
//   <!-- run serve=03 -->          (serve= is optional: a stage to start)
//   ```sh
//   curl -s http://localhost:8585/missing
//   ```
//   ```output                      (or "output lines": each line must
//   ...exact expected output...     appear in order, for what varies)
//   ```
//
// Commands run from the source directory with bash; 8585 in a command and
// its output stands for the free port the server was started on.
//
// And its shape: the main path (up to the first "Appendix" heading) has at
// most 6,000 words of prose, its timetable adds up to the minutes README
// promises, no part holds more than 75 words a minute of its slot, every
// part opens with "**Idea:**" and ends with its recap, and the scoreboard
// lists README's capabilities.
#include "support/process.hpp"

#include <algorithm>
#include <cctype>
#include <catch2/catch_test_macros.hpp>
#include <filesystem>
#include <optional>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace workshop;
namespace fs = std::filesystem;

namespace {

const fs::path source_dir = WORKSHOP_SOURCE_DIR;

std::vector<std::string> read_lines(const fs::path& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string join(const std::vector<std::string>& lines, std::size_t from, std::size_t to) {
    std::string text;
    for (std::size_t i = from; i < to; ++i) text += lines[i] + "\n";
    return text;
}

// The region's lines, or nullopt when the file has no such region.
std::optional<std::string> source_region(const fs::path& file, const std::string& name) {
    auto lines = read_lines(source_dir / file);
    const std::regex start("^\\s*// tutorial: " + name + "\\s*$"), end("^\\s*// end tutorial\\s*$");
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (!std::regex_match(lines[i], start)) continue;
        for (std::size_t j = i + 1; j < lines.size(); ++j)
            if (std::regex_match(lines[j], end)) return join(lines, i + 1, j);
    }
    return std::nullopt;
}

struct fenced_block {
    std::string info, text;
};

// The fenced block starting at or after line `i`; `i` moves past it.
fenced_block next_block(const std::vector<std::string>& lines, std::size_t& i) {
    while (i < lines.size() && !lines[i].starts_with("```")) ++i;
    REQUIRE(i < lines.size());
    fenced_block block{lines[i].substr(3), ""};
    std::size_t start = ++i;
    while (i < lines.size() && lines[i] != "```") ++i;
    REQUIRE(i < lines.size());
    block.text = join(lines, start, i++);
    return block;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

// The program of the server labelled `label` (03) in this build.
std::filesystem::path server_program(const std::string& label) {
    for (const auto& row : build_servers())
        if (row.label == label) return row.program;
    FAIL("no server labelled " << label << " in this build");
    return {};
}

const std::vector<std::string> tutorial = read_lines(source_dir / "tutorial.md");

struct include_marker {
    std::size_t line;  // index into `tutorial`
    std::string file, region;
};

// Every "<!-- include: FILE REGION -->" in the tutorial.
std::vector<include_marker> include_markers() {
    const std::regex include("^<!-- include: (\\S+) (\\S+) -->$");
    std::vector<include_marker> markers;
    for (std::size_t i = 0; i < tutorial.size(); ++i) {
        std::smatch m;
        if (std::regex_match(tutorial[i], m, include)) markers.push_back({i, m[1], m[2]});
    }
    return markers;
}

// The main path: the text before the first heading titled "Appendix...".
std::vector<std::string> main_path() {
    const std::regex appendix("^#+ Appendix.*");
    auto end = std::find_if(tutorial.begin(), tutorial.end(),
                            [&](const std::string& line) { return std::regex_match(line, appendix); });
    return {tutorial.begin(), end};
}

}  // namespace

TEST_CASE("every included region matches its source", "[tutorial]") {
    auto markers = include_markers();
    CHECK_FALSE(markers.empty());
    for (const auto& marker : markers) {
        INFO("tutorial.md line " << marker.line + 1 << ": " << marker.file << ", region " << marker.region);
        auto region = source_region(marker.file, marker.region);
        REQUIRE(region.has_value());  // renamed or removed in the source?
        std::size_t next = marker.line + 1;
        CHECK(next_block(tutorial, next).text == *region);
    }
}

TEST_CASE("every region tagged in the source is in the tutorial", "[tutorial]") {
    std::set<std::string> included;
    for (const auto& marker : include_markers()) included.insert(marker.file + " " + marker.region);
    const std::regex tag("^\\s*// tutorial: (\\S+)\\s*$");
    for (const auto& folder : fs::directory_iterator(source_dir)) {
        if (!std::regex_match(folder.path().filename().string(), std::regex("[0-9]{2}-.*"))) continue;  // a stage
        for (const auto& entry : fs::directory_iterator(folder.path())) {
            auto relative = fs::relative(entry.path(), source_dir).generic_string();
            for (const auto& line : read_lines(entry.path())) {
                std::smatch m;
                if (!std::regex_match(line, m, tag)) continue;
                INFO(relative << " tags region " << m[1] << ", which tutorial.md never includes");
                CHECK(included.count(relative + " " + m.str(1)) == 1);
            }
        }
    }
}

TEST_CASE("every runnable command prints what the tutorial shows", "[tutorial]") {
    const std::regex run("^<!-- run( serve=(\\d\\d))? -->$");
    int checked = 0;
    for (std::size_t i = 0; i < tutorial.size(); ++i) {
        std::smatch m;
        if (!std::regex_match(tutorial[i], m, run)) continue;
        std::size_t line = i + 1;
        fenced_block command = next_block(tutorial, ++i);
        fenced_block expected = next_block(tutorial, i);
        --i;
        INFO("tutorial.md line " << line << ":\n" << command.text);
        REQUIRE(command.info == "sh");
        REQUIRE((expected.info == "output" || expected.info == "output lines"));

        std::unique_ptr<server_process> server;
        std::string port = "8585";
        if (m[2].matched) {
            int free = free_port();
            port = std::to_string(free);
            server = std::make_unique<server_process>(server_program(m[2]), std::vector<std::string>{"--port", port}, free);
        }
        std::string script = "cd '" + source_dir.string() + "' && { " +
                             replace_all(command.text, "8585", port) + "} 2>&1";
        run_result r = run_command("/bin/bash", {"-c", script}, 60s);
        std::string want = replace_all(expected.text, "8585", port);
        INFO("printed:\n" << r.out);
        if (expected.info == "output") {
            CHECK(r.out == want);
        } else {
            std::size_t at = 0;
            std::istringstream lines(want);
            for (std::string l; std::getline(lines, l);) {
                INFO("expected line: " << l);
                at = r.out.find(l, at);
                REQUIRE(at != std::string::npos);
            }
        }
        ++checked;
    }
    CHECK(checked > 0);
}

// The scoreboard's rows are the README's capability table, by tag and in
// order; its cells are the short form of the README's.
TEST_CASE("the scoreboard has the README's capabilities", "[tutorial]") {
    auto tags = [](const std::vector<std::string>& lines) {
        const std::regex row("^\\| `(\\[[a-z-]+\\])`.*");
        std::vector<std::string> found;
        for (const auto& line : lines) {
            std::smatch m;
            if (std::regex_match(line, m, row)) found.push_back(m[1]);
        }
        return found;
    };
    auto readme = tags(read_lines(source_dir / "README.md"));
    CHECK_FALSE(readme.empty());
    CHECK(tags(main_path()) == readme);
}

// The main path is the text up to the first heading whose title begins
// with "Appendix". Its prose is what remains without fenced blocks (code,
// output, figures), HTML comments and <details> blocks (exercise answers);
// a word is a run of non-blank characters with a letter or digit in it.
TEST_CASE("the main path stays within 6000 words of prose", "[tutorial]") {
    const auto text = main_path();
    REQUIRE(text.size() < tutorial.size());  // an appendix follows the main path
    std::size_t words = 0;
    bool in_fence = false, in_comment = false;
    int details = 0;
    for (std::string line : text) {
        std::string trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
        if (trimmed.starts_with("```")) {
            in_fence = !in_fence;
            continue;
        }
        if (in_fence) continue;
        if (in_comment) {
            auto end = line.find("-->");
            if (end == std::string::npos) continue;
            line.erase(0, end + 3);
            in_comment = false;
        }
        line = std::regex_replace(line, std::regex("<!--.*?-->"), "");
        if (auto start = line.find("<!--"); start != std::string::npos) {
            line.erase(start);
            in_comment = true;
        }
        if (trimmed.starts_with("<details")) ++details;
        if (details > 0) {
            if (line.find("</details>") != std::string::npos) --details;
            continue;
        }
        std::istringstream in(line);
        for (std::string word; in >> word;)
            if (std::any_of(word.begin(), word.end(), [](unsigned char c) { return std::isalnum(c); })) ++words;
    }
    INFO("prose words in the main path: " << words);
    CHECK(words <= 6000);
    CHECK(words > 0);
}

// README promises a workshop of N minutes; the timetable (the table before
// the first "## " heading, one row per part or break, its last cell
// "M min") must add up to N.
TEST_CASE("the timetable adds up to README's promise", "[tutorial]") {
    std::string readme;
    for (const auto& line : read_lines(source_dir / "README.md")) readme += line + " ";
    std::smatch promise;
    REQUIRE(std::regex_search(readme, promise, std::regex("workshop of [^.]*?\\((\\d+) minutes")));

    const std::regex row("^\\|.*\\| (\\d+) min \\|$");
    int minutes = 0, rows = 0;
    for (const auto& line : tutorial) {
        if (line.starts_with("## ")) break;
        std::smatch m;
        if (std::regex_match(line, m, row)) {
            minutes += std::stoi(m[1]);
            ++rows;
        }
    }
    INFO("timetable rows: " << rows);
    CHECK(rows >= 8);  // Parts 0 to 7, and a break
    CHECK(minutes == std::stoi(promise[1]));
}

// Part 7's excerpt of a full report: after "<!-- report-excerpt -->", a
// table whose columns are among the report's scenario columns
// (bench/report.md.in) and whose rows are every stage of the list and both
// references. Its numbers are one machine's, and not checked.
TEST_CASE("Part 7's report excerpt has the report's columns and every row", "[tutorial]") {
    auto cells = [](const std::string& line) {
        std::vector<std::string> out;
        std::stringstream in(line.substr(1));
        for (std::string cell; std::getline(in, cell, '|');)
            out.push_back(cell.substr(cell.find_first_not_of(' '), cell.find_last_not_of(' ') - cell.find_first_not_of(' ') + 1));
        return out;
    };
    std::vector<std::string> report_columns;
    auto report = read_lines(source_dir / "bench" / "report.md.in");
    for (std::size_t i = 0; i + 3 < report.size(); ++i)
        if (report[i] == "@@ scenario") report_columns = cells(report[i + 3]);
    REQUIRE_FALSE(report_columns.empty());

    auto at = std::find(tutorial.begin(), tutorial.end(), "<!-- report-excerpt -->");
    REQUIRE(at != tutorial.end());
    auto header = std::find_if(at, tutorial.end(), [](const std::string& l) { return l.starts_with("| "); });
    REQUIRE(header != tutorial.end());
    for (const auto& column : cells(*header)) {
        INFO("excerpt column: " << column);
        CHECK(std::find(report_columns.begin(), report_columns.end(), column) != report_columns.end());
    }
    std::set<std::string> rows;
    for (auto line = header + 2; line != tutorial.end() && line->starts_with("| "); ++line) rows.insert(cells(*line)[0]);
    std::set<std::string> due = {"nginx", "h2o"};
    for (const auto& line : read_lines(source_dir / "stages.txt"))
        if (!line.empty() && !line.starts_with("#")) due.insert(line.substr(0, line.find_first_of(" \t")));
    for (const auto& row : due) {
        INFO("a row of the run: " << row);
        CHECK(rows.count(row) == 1);
    }
}

// A part fits its slot: no more than 75 words a minute, counting its prose,
// listings and folded answers alike (everything under its heading, split
// on white space), by the minutes its timetable row gives it.
TEST_CASE("every part fits its minutes", "[tutorial]") {
    const std::regex row("^\\| (\\d) \\|.*\\| (\\d+) min \\|$");
    std::map<std::string, int> minutes;  // by part number
    for (const auto& line : tutorial) {
        if (line.starts_with("## ")) break;
        std::smatch m;
        if (std::regex_match(line, m, row)) minutes[m[1]] = std::stoi(m[2]);
    }
    const auto text = main_path();
    std::string part;  // the part being counted
    std::map<std::string, std::size_t> words;
    for (const auto& line : text) {
        std::smatch m;
        if (std::regex_match(line, m, std::regex("^## Part (\\d):.*"))) {
            part = m[1];
            continue;
        }
        if (part.empty()) continue;
        std::istringstream in(line);
        for (std::string word; in >> word;) ++words[part];
    }
    CHECK(words.size() == 8);
    for (const auto& [number, count] : words) {
        INFO("Part " << number << ": " << count << " words in " << minutes[number] << " minutes");
        REQUIRE(minutes.count(number) == 1);
        CHECK(count <= 75u * static_cast<std::size_t>(minutes[number]));
    }
}

// Every part ("## Part N: ...") opens with its idea, "**Idea:** ...", and
// ends with its recap: "**Recap.**" and three items, what you learned,
// what it costs, what breaks next.
TEST_CASE("every part opens with its idea and ends with its recap", "[tutorial]") {
    const auto text = main_path();
    std::vector<std::size_t> parts;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i].starts_with("## Part ")) parts.push_back(i);
    CHECK(parts.size() == 8);
    for (std::size_t p = 0; p < parts.size(); ++p) {
        INFO(text[parts[p]]);
        std::size_t end = p + 1 < parts.size() ? parts[p + 1] : text.size();
        std::vector<std::string> lines;  // the part's non-blank lines
        for (std::size_t i = parts[p] + 1; i < end; ++i)
            if (!text[i].empty()) lines.push_back(text[i]);
        REQUIRE(lines.size() >= 5);
        CHECK(lines.front().starts_with("**Idea:** "));
        auto recap = std::vector<std::string>(lines.end() - 4, lines.end());
        CHECK(recap[0] == "**Recap.**");
        CHECK(recap[1].starts_with("- **Learned:** "));
        CHECK(recap[2].starts_with("- **Costs:** "));
        CHECK(recap[3].starts_with("- **Breaks next:** "));
    }
}

// Exercises are checked by tests/exercises/run (label "full"): each
// "<!-- exercise: NAME -->" in the text has tests/exercises/NAME.check, and
// the outcome it must produce is the output block after the marker. This
// test, fast enough for every run, keeps text and checks paired, and each
// exercise marked live or at home, its outcome folded in <details>.
TEST_CASE("every exercise has a check, and every check an exercise", "[tutorial]") {
    const fs::path checks = source_dir / "tests" / "exercises";
    const std::regex marker("^<!-- exercise: (\\S+) -->$"), item("^\\d+\\. .*");
    const std::regex for_whom("^\\d+\\. \\*(Live|At home)\\.\\* .*");

    std::set<std::string> marked;
    std::string previous;  // the last non-blank line
    bool in_exercises = false;
    for (std::size_t i = 0; i < tutorial.size(); ++i) {
        const std::string& line = tutorial[i];
        INFO("tutorial.md line " << i + 1 << ": " << line);
        if (line.starts_with("## ")) in_exercises = false;
        if (line.starts_with("Exercises") || line == "### Exercises") in_exercises = true;
        std::smatch m;
        if (std::regex_match(line, m, marker)) {
            CHECK(marked.insert(m[1]).second);  // each name once
            CHECK(fs::exists(checks / (m.str(1) + ".check")));
            // The marker stands right before its exercise, which states its
            // outcome in an output block before the next exercise begins.
            std::size_t next = i + 1;
            while (next < tutorial.size() && tutorial[next].empty()) ++next;
            REQUIRE(next < tutorial.size());
            CHECK(std::regex_match(tutorial[next], item));
            // For the room or for home, said first; the answer folded away.
            CHECK(std::regex_match(tutorial[next], for_whom));
            bool has_output = false, folded = false, output_folded = true;
            for (std::size_t j = next + 1; j < tutorial.size(); ++j) {
                const std::string& l = tutorial[j];
                if (std::regex_match(l, item) || std::regex_match(l, marker) || l.starts_with("#")) break;
                if (l.find("<details>") != std::string::npos) folded = true;
                if (l.find("</details>") != std::string::npos) folded = false;
                if (l.find("```output") != std::string::npos) {
                    has_output = true;
                    output_folded = output_folded && folded;
                }
            }
            CHECK(has_output);
            CHECK(output_folded);
        }
        if (in_exercises && std::regex_match(line, item))
            CHECK(std::regex_match(previous, marker));  // an exercise without a check
        if (!line.empty()) previous = line;
    }
    CHECK_FALSE(marked.empty());

    for (const auto& entry : fs::directory_iterator(checks)) {
        if (entry.path().extension() != ".check") continue;
        INFO(entry.path().filename().string() << " checks an exercise tutorial.md does not mark");
        CHECK(marked.count(entry.path().stem().string()) == 1);
    }
}
