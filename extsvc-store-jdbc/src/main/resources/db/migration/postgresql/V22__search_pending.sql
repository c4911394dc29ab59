-- Words waiting for the search index (issue 17), as on SQLite (V20). Appending a callback's words to its
-- invocation's document wrote a new version of the whole document, ran to_tsvector over all of its content
-- and put every one of its words into the GIN index again, once per callback. A write now appends a row here;
-- the store moves the rows into the documents in batches, in the background and before every search (under an
-- advisory lock, so that nodes move each row once), so a search still finds every committed word.
-- No foreign key: the mover writes words only for invocations that exist, and no check costs the writes.
CREATE TABLE extsvc_search_pending (
  seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invocation_id uuid   NOT NULL,
  words         text   NOT NULL
);
