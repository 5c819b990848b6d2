# An independent implementation under test, layered on the Debian base that scripts/build-images
# makes with mmdebstrap (no registry): its wheels, downloaded on the host, are installed offline
# into a virtual environment; its adapter (and, for a native peer, its binary) is copied in.
# Nothing is downloaded during the build.
ARG BASE
FROM ${BASE}
COPY context/ /opt/peer/
RUN python3 -m venv /opt/peer/venv \
 && if [ -f /opt/peer/requirements.txt ]; then \
      /opt/peer/venv/bin/pip install --quiet --no-index --find-links /opt/peer/wheels \
        -r /opt/peer/requirements.txt; \
    fi \
 && rm -rf /opt/peer/wheels
ENTRYPOINT ["/opt/peer/venv/bin/python", "/opt/peer/adapter.py"]
