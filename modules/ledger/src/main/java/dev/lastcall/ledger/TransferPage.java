package dev.lastcall.ledger;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** One page of an account's transfers, newest first; {@code next} is the cursor of the next page, if any. */
record TransferPage(List<Transfer> items, @Nullable String next) {}
