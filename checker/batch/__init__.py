"""All schools of a municipality or region: parallel checking, aggregation and the
summary files (CSV, XLSX, JSON)."""
