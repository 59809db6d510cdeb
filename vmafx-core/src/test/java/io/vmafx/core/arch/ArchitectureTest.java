package io.vmafx.core.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import static org.junit.jupiter.api.Assertions.assertTrue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries, checked on the compiled classes of every module: the API depends on the JDK alone,
 * providers on the API (never on core), core on no provider, and native code lives in the bypass alone.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importAll() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.vmafx");
        // Guard against a vacuous pass: every module's classes must be on the test class path.
        for (String pkg : new String[] {"io.vmafx.api.uri", "io.vmafx.spi.storage", "io.vmafx.core.job",
                "io.vmafx.storage.local", "io.vmafx.storage.httpserve", "io.vmafx.storage.fuse", "io.vmafx.bypass.ebpf",
                "io.vmafx.spi.jobstore", "io.vmafx.jobstore.postgresql"}) {
            assertTrue(classes.containPackage(pkg), "no classes imported from " + pkg);
        }
    }

    @Test
    void apiDependsOnlyOnTheJdk() {
        classes().that().resideInAnyPackage("io.vmafx.api..", "io.vmafx.spi..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.vmafx.api..", "io.vmafx.spi..")
                .check(classes);
    }

    @Test
    void providersDependOnTheApiAndTheirOwnLibrariesOnly() {
        // Each provider with the libraries of its own it may use: the rclone-backed ones share io.vmafx.rclone.
        java.util.Map<String, String[]> allowed = java.util.Map.of(
                "io.vmafx.storage.local", new String[0],
                "io.vmafx.storage.httpserve", new String[] {"io.vmafx.rclone.."},
                "io.vmafx.storage.fuse", new String[] {"io.vmafx.rclone.."},
                "io.vmafx.bypass.ebpf", new String[] {"com.fasterxml.jackson..", "io.vmafx.rclone.."},
                "io.vmafx.rclone", new String[0],
                "io.vmafx.jobstore.postgresql", new String[] {"org.postgresql.."});
        allowed.forEach((provider, libraries) -> {
            java.util.List<String> packages = new java.util.ArrayList<>(java.util.List.of(
                    "java..", "io.vmafx.api..", "io.vmafx.spi..", provider + ".."));
            packages.addAll(java.util.List.of(libraries));
            classes().that().resideInAPackage(provider + "..")
                    .should().onlyDependOnClassesThat().resideInAnyPackage(packages.toArray(String[]::new))
                    .because("a provider module is built against vmafx-api and its own libraries, like a third-party plugin")
                    .check(classes);
        });
    }

    @Test
    void providersNeverDependOnCore() {
        noClasses().that().resideInAnyPackage("io.vmafx.storage..", "io.vmafx.bypass..", "io.vmafx.rclone..", "io.vmafx.jobstore..")
                .should().dependOnClassesThat().resideInAPackage("io.vmafx.core..")
                .check(classes);
    }

    @Test
    void coreNeverImportsAProvider() {
        noClasses().that().resideInAPackage("io.vmafx.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.vmafx.storage..", "io.vmafx.bypass..", "io.vmafx.rclone..",
                        "io.vmafx.jobstore..")
                .because("core finds providers through ServiceLoader only")
                .check(classes);
    }

    @Test
    void nativeMethodsOnlyInTheBypassModule() {
        methods().that().haveModifier(JavaModifier.NATIVE)
                .should().beDeclaredInClassesThat().resideInAPackage("io.vmafx.bypass..")
                .allowEmptyShould(true)
                .check(classes);
    }
}
