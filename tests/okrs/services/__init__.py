"""Tests of pacer.okrs.services, one file per module, calling the services directly."""
