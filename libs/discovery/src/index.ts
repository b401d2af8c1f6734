/** Builds the metadata document from what the server implements. */
export { DiscoveryModule } from './discovery.module';
export { DiscoveryService } from './discovery.service';
export type { MetadataDocument } from './discovery.service';
