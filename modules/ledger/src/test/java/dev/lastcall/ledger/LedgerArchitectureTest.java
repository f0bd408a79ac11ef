package dev.lastcall.ledger;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The house rules of DESIGN.md, as they apply to the ledger. */
class LedgerArchitectureTest {

    private static final JavaClasses LEDGER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.lastcall.ledger");

    @Test
    void exposesOnlyItsGuiceModule() {
        classes().that().resideInAPackage("dev.lastcall.ledger")
                .and().areTopLevelClasses()
                .and().doNotHaveSimpleName("package-info")
                .and().haveModifier(JavaModifier.PUBLIC)
                .should().haveFullyQualifiedName(LedgerModule.class.getName())
                .check(LEDGER);
    }

    @Test
    void reachesJettyHikariFlywayAndTheDriverOnlyThroughThePlatform() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage(
                        "org.eclipse.jetty..", "com.zaxxer..", "org.flywaydb..", "org.postgresql..", "io.zonky..",
                        "javax.sql..")
                .check(LEDGER);
    }

    @Test
    void dependsOnNoOtherBusinessModule() {
        noClasses().should().dependOnClassesThat(resideInAPackage("dev.lastcall..")
                        .and(not(resideInAnyPackage("dev.lastcall.ledger..", "dev.lastcall.platform.."))))
                .check(LEDGER);
    }
}
