"""Loopback fakes of the outside services EchoTune talks to, served over real HTTP in tests."""
