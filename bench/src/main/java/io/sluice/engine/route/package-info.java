/**
 * jcstress tests of the route table's publication and reclamation protocols. They sit in the route table's
 * own package (a split package on the class path; bench is never a module) to build the small test tables of
 * the package-private {@code RouteTable(RouteTableConfig, int)} constructor: a jcstress run creates thousands of
 * test states, and a full table would take 64 MiB each.
 */
package io.sluice.engine.route;
