// Labeled datasets: reads the files `ecoute train` and `ecoute eval` learn from and score on
// (CSV, JSON lines, a JSON array, fastText, or a text file with a parallel labels file) into
// one list of examples, in file order.
//
// As with the post readers (ecoute/sources.h), a bad row is data, not failure: it becomes a
// Problem and its good neighbours are kept. Only a file that cannot be opened, or that lacks
// a column the options require, fails as a whole.
//
// Every function reads only its arguments (and the files they name) and writes only its
// output arguments: calls on different outputs are safe from any thread. Implemented in
// src/learn.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ecoute/sources.h"
#include "ecoute/status.h"

namespace ecoute {

// One labeled text.
struct Example {
  std::string text;                 // valid UTF-8 (repaired if need be), never blank
  std::string label;                // after the label map, never empty
  std::string brand;                // JSON "brand" (correction files); empty otherwise
  std::vector<std::string> topics;  // JSON "topics"; empty otherwise
  // Where the example came from: "file:line" (JSON lines, fastText, lines), "file:row N"
  // (CSV, N-th record after the header) or "file:item N" (JSON array), counted from 1.
  std::string where;
};

enum class DatasetFormat { kAuto, kCsv, kJsonLines, kJsonArray, kFastText, kLines };

// Parses "auto", "csv", "jsonl", "json" (an array), "fasttext", "lines"; false for anything
// else, leaving `out` alone.
bool ParseDatasetFormat(std::string_view name, DatasetFormat& out);

struct DatasetOptions {
  // kAuto guesses from the name: .csv is CSV; .jsonl and .ndjson are JSON lines; .json is a
  // JSON array when its first non-space byte is '[', JSON lines otherwise; .ft and .fasttext
  // are fastText; any other name is lines when `labels_path` is set, fastText when its first
  // line starts with "__label__", and an error otherwise.
  DatasetFormat format = DatasetFormat::kAuto;
  // The CSV column or JSON key holding the text, and the one holding the label. A JSON
  // label may be a string, an integer (0 becomes "0") or a list of strings, which counts by
  // its first ("topics": ["delay", "support"] is "delay"; an empty list, an empty label).
  std::string text_column = "text";
  std::string label_column = "label";
  // kLines only: a file with one label per line, parallel to the text file.
  std::string labels_path;
  // Source label -> our label (see ParseLabelMap). Empty: labels are kept as they are. With
  // a map, rows whose label it does not cover (an empty label included) are skipped and
  // counted in Dataset::skipped_unmapped, not reported as problems.
  std::vector<std::pair<std::string, std::string>> label_map;
  // CSV and JSON only: keeps only the rows whose `filter_column` value is one of
  // `filter_values` (e.g. airline = Delta, Virgin America), or, with `exclude_filter`, only
  // those whose value is none of them. Values compare exactly; a JSON row without the key
  // (or with null) has the value "". Empty `filter_column`: no filtering.
  std::string filter_column;
  std::vector<std::string> filter_values;
  bool exclude_filter = false;
};

struct Dataset {
  std::vector<Example> examples;
  // Rows that were skipped ("Tweets.csv:row 12: 3 fields, header has 15"), one note when
  // invalid UTF-8 was repaired (the rows are kept), and fatal problems for a file that is
  // unusable as a whole (empty, binary, not a JSON array...). Past 1,000 problems in one
  // file, the rest are only counted in a last problem.
  std::vector<Problem> problems;
  size_t skipped_unmapped = 0;  // rows whose label the map does not cover
  size_t skipped_filtered = 0;  // rows the filter left out
};

// Parses "negative=complaint,neutral=neutral,positive=praise": `source=ours` pairs separated
// by commas, spaces around names ignored. Several source labels may map to the same label;
// one source label may not map to two. Fails with kInvalidArgument naming the wrong item
// (1-based) when an item has no '=', more than one, or an empty side, or when the spec is
// empty. Labels cannot contain ',' or '='.
Result<std::vector<std::pair<std::string, std::string>>> ParseLabelMap(std::string_view spec);

// Reads the dataset at `path` (and, for kLines, `options.labels_path`) and appends its
// examples, problems and counts to `out`. Fails without touching `out` when a file cannot be
// opened (kNotFound, kPermissionDenied or kUnavailable), when a required column or key
// (text, label, filter) appears nowhere in the file (kInvalidArgument; the message names the
// file and lists the columns found), when a lines file and its labels file differ in line
// count, when the format cannot be guessed, or when a filter is asked of a format without
// columns.
Status ReadDataset(const std::string& path, const DatasetOptions& options, Dataset& out);

// Same as ReadDataset, from bytes in memory: `name` stands for the file (format guessing,
// messages, Example::where), and `labels_bytes` for the labels file of kLines (named
// `options.labels_path`, or "labels" when that is empty; ignored by the other formats).
//
// Text is kept as written, with three exceptions: a UTF-8 byte order mark is dropped,
// invalid UTF-8 is replaced with U+FFFD, and CSV texts have the HTML entities &amp; &lt;
// &gt; &quot; &#39; decoded, because tweet exports (the airline set among them) keep
// Twitter's escaped text; other entities are left alone. CSV follows RFC 4180 strictly
// (spaces belong to fields; a quote inside an unquoted field, or text after a closing quote,
// skips the row with a problem). Lines and fastText lines may end in "\r\n"; blank lines
// are ignored, except in a lines file, where they keep the pairing and are reported as
// empty texts (trailing blank lines are ignored there too). Labels are trimmed of spaces
// around them. A row with a blank text, or an empty label without a map, is skipped with a
// problem; these checks come before the label map, so an unmapped row with no text is still
// reported.
Status ParseDataset(std::string_view bytes, std::string_view name, const DatasetOptions& options,
                    std::string_view labels_bytes, Dataset& out);

// One stance label of a (post, brand) pair, as annotators write them (docs/ANNOTATION.md):
// a JSON object per line, {"id", "source", "brand", "stance", "topics", "annotator",
// "note"}. The post's text is elsewhere, in a pool (PoolPost), joined by `id`.
struct PairLabel {
  std::string id;
  std::string source;  // may be empty: the pool's source counts
  std::string brand;
  std::string stance;  // one of kPairLabelStances
  std::vector<std::string> topics;
  std::string annotator;
  std::string note;   // the hard case that decided ("sarcasm", "bystander"...), or empty
  std::string where;  // "file:line", counted from 1
};

// The stances a PairLabel may have: the five of ecoute, and "skip" for a post the annotator
// could not read (to be ignored).
inline constexpr std::string_view kPairLabelStances[] = {"complaint", "praise",  "resolution",
                                                         "question",  "neutral", "skip"};

// One post of a labeling pool (scripts/labeling/pool.py): a JSON object per line, {"id",
// "source", "account", "addressee", "text"}, and "lang" when the pool knows it.
struct PoolPost {
  std::string id;
  std::string source;
  std::string account;
  std::string addressee;  // the brand the channel says the writer speaks to, or empty
  std::string text;       // valid UTF-8 (repaired if need be), never blank
  std::string lang;       // empty when the pool does not say
  std::string where;      // "file:line"
};

// Parses JSON lines of pair labels and appends them to `out`, in file order. As with
// datasets, a bad line is data: a line that is not a JSON object, or lacks a string "id"
// or "brand", or whose "stance" is not one of kPairLabelStances, becomes a Problem and is
// skipped. Strings are trimmed of spaces around them; "topics" other than a list of
// strings, and "source", "annotator" or "note" other than strings, are left empty. An empty
// file is a fatal Problem, not a failure.
void ParsePairLabels(std::string_view bytes, std::string_view name, std::vector<PairLabel>& out,
                     std::vector<Problem>& problems);

// Parses a pool's JSON lines into `out`, in file order; a line without a string "id" or with
// a blank or missing "text" becomes a Problem and is skipped. Texts are kept as written
// (invalid UTF-8 replaced with U+FFFD, as datasets do); other fields are trimmed.
void ParsePool(std::string_view bytes, std::string_view name, std::vector<PoolPost>& out,
               std::vector<Problem>& problems);

// Read a file and parse it as above. Fail, appending nothing, only when the file cannot be
// opened or read (kNotFound, kPermissionDenied, kUnavailable, or kInvalidArgument for a
// directory).
Status ReadPairLabels(const std::string& path, std::vector<PairLabel>& out,
                      std::vector<Problem>& problems);
Status ReadPool(const std::string& path, std::vector<PoolPost>& out,
                std::vector<Problem>& problems);

}  // namespace ecoute
