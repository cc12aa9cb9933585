"""Tests of the vendor adapters against loopback fakes of each vendor API."""
