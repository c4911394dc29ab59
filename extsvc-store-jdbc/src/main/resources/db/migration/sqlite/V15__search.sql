-- Search (issue 20): the words of each stored request, synchronous answer and callback body, as
-- SearchText extracts them (never a value under a secret-looking name, never a URL: callback URLs carry
-- their tokens). Written by the store with the document from now on; V15.1 fills it for older rows.
CREATE VIRTUAL TABLE extsvc_search USING fts5(invocation_id UNINDEXED, content);
