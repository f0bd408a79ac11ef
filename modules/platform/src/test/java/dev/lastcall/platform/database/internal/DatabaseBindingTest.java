package dev.lastcall.platform.database.internal;

import dev.lastcall.platform.database.Transactions;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.lastcall.platform.PlatformModule;
import dev.lastcall.platform.config.Settings;
import dev.lastcall.platform.lifecycle.Managed;
import dev.lastcall.platform.lifecycle.Phase;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatabaseBindingTest {

    @Test
    void modulesGetTheOneTransactionsThatTheManagedDatabaseDrains() {
        Injector injector = Guice.createInjector(new PlatformModule(Settings.load(Optional.empty(), Map.of())));

        Transactions transactions = injector.getInstance(Transactions.class);
        assertThat(transactions).isSameAs(injector.getInstance(Transactions.class))
                .isSameAs(injector.getInstance(PooledTransactions.class));
        Set<Managed> databasePhase = injector.getInstance(Key.get(new TypeLiteral<Map<Phase, Set<Managed>>>() {}))
                .get(Phase.DATABASE);
        assertThat(databasePhase).containsExactly(injector.getInstance(Database.class));
    }
}
