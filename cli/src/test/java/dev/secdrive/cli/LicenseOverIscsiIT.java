package dev.secdrive.cli;

/**
 * Every flow of {@link LicenseIT} (license record, backup and restore, the refusals) with the host
 * driver attached to the emulator's drives over iSCSI instead of the TCP carrier.
 */
class LicenseOverIscsiIT extends LicenseIT {

  @Override
  String uri(int lun, String query) {
    return rig.iscsiUri(lun, query);
  }
}
