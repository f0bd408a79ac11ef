package dev.lastcall.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.google.inject.Module;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** DESIGN.md's rules of the house, checked on the compiled classes of every module. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // the platform's test fixtures come in a jar of their own
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("dev.lastcall");

    @Test
    void businessModulesDependOnThePlatformOnlyNeverOnEachOther() {
        slices().matching("dev.lastcall.(*)..")
                .that(DescribedPredicate.describe("are business modules",
                        slice -> !Set.of("app", "platform").contains(slice.getNamePart(1))))
                .should().notDependOnEachOther()
                .allowEmptyShould(true)
                .check(CLASSES);
    }

    @Test
    void thePlatformDependsOnNoBusinessModule() {
        noClasses().that().resideInAPackage("dev.lastcall.platform..")
                .should().dependOnClassesThat().resideOutsideOfPackages(
                        "dev.lastcall.platform..", "java..", "javax..", "jakarta..", "org.eclipse.jetty..",
                        "com.google.inject..", "com.fasterxml.jackson..", "com.typesafe.config..", "org.slf4j..",
                        "ch.qos.logback..", "org.jspecify..", "com.zaxxer.hikari..", "org.flywaydb..",
                        "org.postgresql..", "io.zonky..", "io.micrometer..", "sun.misc..",
                        // the embedded PostgreSQL binaries are an xz-compressed tar
                        "org.apache.commons.compress..", "org.tukaani.xz..")
                .check(CLASSES);
    }

    /** What a business module may use of the platform; every other platform package is its insides. */
    static final String[] MODULE_FACING_PLATFORM_PACKAGES = {
            "dev.lastcall.platform.config",
            "dev.lastcall.platform.context",
            "dev.lastcall.platform.lifecycle",
            "dev.lastcall.platform.database",
            "dev.lastcall.platform.http",
            "dev.lastcall.platform.outbox",
            "dev.lastcall.platform.scheduling"};

    @Test
    void businessModulesUseOnlyThePlatformsModuleFacingPackages() {
        noClasses().that().resideOutsideOfPackages("dev.lastcall.platform..", "dev.lastcall.app..")
                .should().dependOnClassesThat(JavaClass.Predicates.resideInAPackage("dev.lastcall.platform..")
                        .and(DescribedPredicate.not(JavaClass.Predicates.resideInAnyPackage(MODULE_FACING_PLATFORM_PACKAGES))))
                .because("the platform's insides (the server, the pool, systemd, the process) may change without them")
                .check(CLASSES);
    }

    @Test
    void onlyThePlatformTouchesJettyThePoolFlywayOrTheEmbeddedDatabase() {
        noClasses().that().resideOutsideOfPackage("dev.lastcall.platform..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.eclipse.jetty..", "com.zaxxer.hikari..", "org.flywaydb..", "io.zonky..")
                .check(CLASSES);
    }

    @Test
    void eachModuleExposesExactlyOneGuiceModuleAtItsRootPackage() {
        classes().that().implement(Module.class).and().resideOutsideOfPackage("dev.lastcall.app..")
                .should().haveSimpleNameEndingWith("Module")
                .andShould().bePublic()
                .andShould().resideInAnyPackage("dev.lastcall.platform", "dev.lastcall.ledger", "dev.lastcall.webhooks")
                .check(CLASSES);
    }

    @Test
    void noModulePackageHasMoreThanOneGuiceModule() {
        var modulesByPackage = CLASSES.stream()
                .filter(c -> c.isAssignableTo(Module.class) && !c.getPackageName().startsWith("dev.lastcall.app"))
                .collect(java.util.stream.Collectors.groupingBy(c -> c.getPackageName(), java.util.stream.Collectors.counting()));
        org.assertj.core.api.Assertions.assertThat(modulesByPackage).containsEntry("dev.lastcall.platform", 1L)
                .allSatisfy((pkg, count) -> org.assertj.core.api.Assertions.assertThat(count).as(pkg).isEqualTo(1L));
    }
}
