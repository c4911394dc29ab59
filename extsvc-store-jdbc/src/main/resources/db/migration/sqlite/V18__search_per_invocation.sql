-- Search over a million invocations (issue 20): one document per invocation instead of one per stored
-- body, so that a search can check one invocation with one indexed lookup while it walks the list in
-- its order (a common word), besides fetching the few matches through the index (a rare value).
-- FTS5 finds documents by an integer rowid: extsvc_search_keys gives each invocation with a document
-- its own key (an explicit INTEGER PRIMARY KEY, which VACUUM keeps), and the document's rowid is it.
-- The store appends the words of each later body (the synchronous answer, a callback) to the document.
CREATE TABLE extsvc_search_keys (
  key           INTEGER PRIMARY KEY,
  invocation_id TEXT    NOT NULL UNIQUE
) STRICT;
CREATE VIRTUAL TABLE extsvc_search_docs USING fts5(content);

-- The words already indexed (V15, V15.1), gathered per invocation.
INSERT INTO extsvc_search_keys (invocation_id)
  SELECT invocation_id FROM extsvc_search GROUP BY invocation_id ORDER BY invocation_id;
INSERT INTO extsvc_search_docs (rowid, content)
  SELECT k.key, w.content
  FROM (SELECT invocation_id, group_concat(content, ' ') AS content
        FROM extsvc_search GROUP BY invocation_id) w
  JOIN extsvc_search_keys k ON k.invocation_id = w.invocation_id;
DROP TABLE extsvc_search;
