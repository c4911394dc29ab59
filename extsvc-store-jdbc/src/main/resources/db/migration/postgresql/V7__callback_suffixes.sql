-- URL templates in full: a callback key's URL may continue after the runtime's URL with expressions of the
-- request ("{$request.query.callback}/shipments/{$request.body#/reference}"). Each token keeps those suffixes as
-- evaluated when it was minted, a JSON object from the expression as written to the suffix, so the callback's path
-- is matched exactly. NULL (tokens minted before) means every suffix is literal text.
ALTER TABLE extsvc_callback_tokens ADD COLUMN callback_suffixes TEXT;
