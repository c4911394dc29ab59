-- Search (issue 20): the words of each stored request, synchronous answer and callback body, as
-- SearchText extracts them (never a value under a secret-looking name, never a URL: callback URLs carry
-- their tokens). Written by the store with the document from now on; V15.1 fills it for older rows.
CREATE TABLE extsvc_search (
  invocation_id uuid     NOT NULL REFERENCES extsvc_invocations (id) ON DELETE CASCADE,
  content       text     NOT NULL,
  words         tsvector GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED
);
CREATE INDEX extsvc_search_words ON extsvc_search USING gin (words);
CREATE INDEX extsvc_search_invocation ON extsvc_search (invocation_id);
