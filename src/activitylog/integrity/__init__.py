"""Tamper evidence: every workspace's entries form a hash chain, committed to by signed checkpoints.

How the pieces fit (each module states its own invariants):
- `canonical`: the bytes hashed for an entry (every stored field) and the chain step, the same on every
  backend and for a customer holding only the API's JSON;
- `chain`: positions and chain hashes given to a batch inside its recording transaction (stores call it);
- `keys`: the server's Ed25519 key, kept in a file outside the database (mode 0600, made on first start);
- `checkpoints`: signed statements "workspace W's chain at position N has hash H", written periodically and
  on demand, only after the entries since the previous checkpoint have been checked;
- what a purge keeps so the rest still verifies (the anchor and tombstones) is `storage.purge_seal`'s: SQL;
- `verify`: walks a workspace's chain and says exactly which entries fail and why;
- `proofs`: the links and checkpoints a customer needs to verify an export without trusting the server;
- `reader`: what all of these need of the database, as a protocol (`storage.integrity` answers it with SQL);
- `service`, `scheduler`: the operations the CLI and the API use, and the server's periodic checkpoints.

Pure: nothing here imports storage or holds SQL; the database is reached through `reader` alone.
"""
