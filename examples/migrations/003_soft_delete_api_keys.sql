-- Seed 000, mistake 1: soft delete added mid-production, the old UNIQUE left in place.
ALTER TABLE api_keys ADD COLUMN deleted_at timestamptz;
