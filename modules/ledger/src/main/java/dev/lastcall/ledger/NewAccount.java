package dev.lastcall.ledger;

/** A valid request to open an account. */
record NewAccount(String code, String currency, boolean allowNegative) {}
