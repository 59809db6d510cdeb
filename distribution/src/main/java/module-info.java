/**
 * vmafx-dist: assembles node distributions (a jlink runtime image of a chosen set of node modules, with its
 * launcher, an empty {@code plugins/}, sample configuration and the licences) and writes them as reproducible
 * {@code .tar.gz} archives with a SHA-256 file beside them. A build tool: never part of a node image.
 */
module io.vmafx.dist {
    requires org.apache.commons.compress;
}
