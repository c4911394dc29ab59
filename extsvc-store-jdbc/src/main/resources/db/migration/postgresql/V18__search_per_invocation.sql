-- Search over a million invocations (issue 20): one document per invocation instead of one per stored
-- body, so that a search can check one invocation with one primary-key lookup while it walks the list
-- in its order (a common word), besides fetching the few matches through the GIN index (a rare value).
-- The store appends the words of each later body (the synchronous answer, a callback) to the document.
CREATE TABLE extsvc_search_docs (
  invocation_id uuid     NOT NULL PRIMARY KEY REFERENCES extsvc_invocations (id) ON DELETE CASCADE,
  content       text     NOT NULL,
  words         tsvector GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED
);

-- The words already indexed (V15, V15.1), gathered per invocation.
INSERT INTO extsvc_search_docs (invocation_id, content)
  SELECT invocation_id, string_agg(content, ' ') FROM extsvc_search GROUP BY invocation_id;
CREATE INDEX extsvc_search_docs_words ON extsvc_search_docs USING gin (words);
DROP TABLE extsvc_search;
