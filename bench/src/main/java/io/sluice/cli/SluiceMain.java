package io.sluice.cli; public class SluiceMain { public static void main(String[] a){ System.out.println("hi"); } }
