#!/bin/sh
# The package installer of `ATWORK_DEMO_ONBOARDING=1 npm start` off macOS (ATWORK_TEST_INSTALLER): takes a few seconds,
# as a real install would, so the onboarding's steps can be watched, and installs nothing.
sleep 10
echo "installer: The install was successful."
