package io.vmafx.storage.fuse;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The provider is built on the API, the shared rclone library and the JDK: never on core. */
class ModuleBoundaryTest {

    @Test
    void dependsOnTheApiTheRcloneLibraryAndTheJdkOnly() {
        JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.vmafx.storage.fuse");
        classes().that().resideInAPackage("io.vmafx.storage.fuse..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "io.vmafx.api..", "io.vmafx.spi..", "io.vmafx.rclone..", "io.vmafx.storage.fuse..")
                .check(classes);
    }
}
