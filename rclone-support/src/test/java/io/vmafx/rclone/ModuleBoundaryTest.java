package io.vmafx.rclone;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The shared library is built on the API and the JDK alone, like the providers that use it. */
class ModuleBoundaryTest {

    @Test
    void dependsOnTheApiAndTheJdkOnly() {
        classes().that().resideInAPackage("io.vmafx.rclone..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.vmafx.api..", "io.vmafx.spi..", "io.vmafx.rclone..")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.vmafx.rclone"));
    }
}
