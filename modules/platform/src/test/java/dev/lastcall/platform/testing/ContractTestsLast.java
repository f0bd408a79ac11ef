package dev.lastcall.platform.testing;

import java.util.Comparator;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * Runs a module's {@code *ContractIT} after its other test classes, which make the exchanges it
 * looks at; the others keep their order. Set in each module's {@code junit-platform.properties}.
 */
public final class ContractTestsLast implements ClassOrderer {

    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator.comparing(
                descriptor -> descriptor.getTestClass().getSimpleName().endsWith("ContractIT")));
    }
}
