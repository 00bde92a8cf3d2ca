-- The samples' table: each change NOTIFYs the row as JSON on channel 'orders', in the same transaction.
CREATE TABLE IF NOT EXISTS orders (
  id      integer PRIMARY KEY,
  status  text    NOT NULL,
  version integer NOT NULL DEFAULT 1
);

CREATE OR REPLACE FUNCTION orders_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('orders', json_build_object('id', NEW.id, 'status', NEW.status, 'version', NEW.version)::text);
  RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS orders_notify ON orders;
CREATE TRIGGER orders_notify AFTER INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION orders_notify();
