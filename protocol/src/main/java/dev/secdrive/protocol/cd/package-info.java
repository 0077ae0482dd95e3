/**
 * CD structures of MMC-6 and the Red Book (IEC 60908): {@link dev.secdrive.protocol.cd.Msf}
 * addresses with the 2-second pregap, the READ TOC/PMA/ATIP response formats 0000b ({@link
 * dev.secdrive.protocol.cd.Toc}), 0001b ({@link dev.secdrive.protocol.cd.SessionInfo}) and 0010b
 * ({@link dev.secdrive.protocol.cd.FullToc}) (MMC-6 6.33), the READ SUB-CHANNEL data formats 01h,
 * 02h and 03h ({@link dev.secdrive.protocol.cd.SubChannelData}, MMC-6 6.32), the Q sub-channel of a
 * sector as READ CD returns it ({@link dev.secdrive.protocol.cd.QSubChannel}, MMC-6 6.26.3.4), GET
 * CONFIGURATION feature data ({@link dev.secdrive.protocol.cd.Configuration}, MMC-6 5.2, 5.3), and
 * MODE SENSE(10) parameter data with the CD Capabilities and Mechanical Status page 2Ah ({@link
 * dev.secdrive.protocol.cd.ModeParameters10}, {@link dev.secdrive.protocol.cd.CdCapabilitiesPage};
 * SPC-4 7.5.4, MMC-6 7.4). PROTOCOL.md "CD-DA" lays out every byte.
 */
package dev.secdrive.protocol.cd;
