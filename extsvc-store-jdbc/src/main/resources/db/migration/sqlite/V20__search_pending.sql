-- Words waiting for the search index (issue 17). Appending a body's words to an invocation's FTS5
-- document rewrites the whole document and its index entries, and each commit of the writer left a
-- new segment for FTS5 to merge: under callback load most of the bytes the writer sent to the log.
-- A write now appends its words here, at the end of the table; the store moves them into the
-- documents in large batches, in the background and before every search, so a search still finds
-- every committed word.
CREATE TABLE extsvc_search_pending (
  seq           INTEGER PRIMARY KEY,
  invocation_id TEXT    NOT NULL,
  words         TEXT    NOT NULL
) STRICT;
