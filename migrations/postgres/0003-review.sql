-- The security review's reads of a value in `changes` or `metadata` (src/store/pg/review-details.ts),
-- answered as SQLite's json_extract / json_type answer them, in one text:
--   value read: NULL (no value, or JSON null); 's' and the string; 'n' and the number
--   (true 1, false 0); 'j' and the JSON text of an object or array.
--   type read: NULL (no value), else SQLite's json_type name.
-- '' when PostgreSQL cannot read the document: invalid JSON, or JSON that its text type cannot
-- hold (\u0000 or a lone surrogate anywhere in it, which SQLite and JSON.parse accept); the
-- caller then reads that row's document in JS. Never an error: one event must not fail a review.
-- PARALLEL UNSAFE: its exception block is a subtransaction, which a parallel query refuses.
CREATE FUNCTION review_json_read(doc text, path text[], read_type boolean) RETURNS text
  LANGUAGE plpgsql IMMUTABLE PARALLEL UNSAFE AS $$
DECLARE
  v json;
  kind text;
BEGIN
  IF doc IS NULL THEN RETURN NULL; END IF;
  v := doc::json #> path;
  IF v IS NULL THEN RETURN NULL; END IF;
  kind := json_typeof(v);
  IF read_type THEN
    RETURN CASE kind
      WHEN 'string' THEN 'text'
      WHEN 'boolean' THEN v::text
      WHEN 'number' THEN CASE WHEN v::text ~ '^-?[0-9]+$' THEN 'integer' ELSE 'real' END
      ELSE kind
    END;
  END IF;
  RETURN CASE kind
    WHEN 'null' THEN NULL
    WHEN 'string' THEN 's' || (v #>> '{}')
    WHEN 'number' THEN 'n' || v::text
    WHEN 'boolean' THEN CASE WHEN v::text = 'true' THEN 'n1' ELSE 'n0' END
    ELSE 'j' || v::text
  END;
EXCEPTION WHEN OTHERS THEN
  RETURN '';
END $$;
