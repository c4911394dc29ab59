CREATE TABLE IF NOT EXISTS contacts (
  id SERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  address TEXT,
  application_number TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS applications (
  invocation_id TEXT PRIMARY KEY,
  applicant TEXT NOT NULL,
  status TEXT NOT NULL,
  detail TEXT
);
